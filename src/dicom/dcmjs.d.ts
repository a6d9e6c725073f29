// The small part of dcmjs (0.51) that Corelab uses; dcmjs ships no type declarations.
declare module 'dcmjs' {
  interface DcmjsDicomDict {
    meta: Record<string, unknown>;
    dict: Record<string, unknown>;
    write(options?: { allowInvalidVRLength?: boolean; fragmentMultiframe?: boolean }): ArrayBuffer;
  }
  const dcmjs: {
    data: {
      DicomMessage: {
        readFile(buffer: ArrayBuffer, options?: { ignoreErrors?: boolean; untilTag?: string | null }): DcmjsDicomDict;
      };
      DicomDict: new (meta: Record<string, unknown>) => DcmjsDicomDict;
      DicomMetaDictionary: {
        dictionary: Record<string, { tag: string; vr: string; name: string } | undefined>;
        denaturalizeDataset(dataset: Record<string, unknown>): Record<string, unknown>;
      };
    };
    log?: { setLevel?(level: string): void; disableAll?(): void; getLogger?(name: string): { setLevel(level: string): void } };
  };
  export default dcmjs;
}
