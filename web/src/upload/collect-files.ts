// Turns what the user dropped or picked (files, folders, zips) into a flat list of files with their path inside the
// dropped folder. Folders are walked with the File System entries API (drag and drop) or come flattened with
// webkitRelativePath (folder picker). Operating-system clutter is left out; everything else goes to the server,
// whose ingest decides what is DICOM.

const CLUTTER = /^(\..*|Thumbs\.db|desktop\.ini)$/i;

export interface PickedFile {
  file: File;
  relPath: string;
}

const keep = (name: string) => !CLUTTER.test(name);

export function fromFileList(list: FileList | File[]): PickedFile[] {
  return Array.from(list)
    .filter((f) => keep(f.name))
    .map((f) => ({ file: f, relPath: (f as File & { webkitRelativePath?: string }).webkitRelativePath || f.name }));
}

export async function fromDataTransfer(dt: DataTransfer): Promise<PickedFile[]> {
  const entries = Array.from(dt.items)
    .filter((i) => i.kind === 'file')
    .map((i) => i.webkitGetAsEntry?.() ?? null);
  // Browsers without the entries API give plain files (no folders).
  if (entries.some((e) => e === null)) return fromFileList(dt.files);
  const out: PickedFile[] = [];
  for (const e of entries as FileSystemEntry[]) await walk(e, '', out);
  return out;
}

async function walk(entry: FileSystemEntry, prefix: string, out: PickedFile[]): Promise<void> {
  if (!keep(entry.name)) return;
  const rel = prefix + entry.name;
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
    out.push({ file, relPath: rel });
    return;
  }
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  // readEntries answers in batches (100 in Chromium) until it returns an empty one.
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) break;
    for (const child of batch) await walk(child, rel + '/', out);
  }
}
