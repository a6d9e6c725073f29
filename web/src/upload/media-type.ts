/** The body type the contract accepts for a file: a zip archive as application/zip, anything else as one DICOM file. */
export function mediaTypeOf(file: { name: string; type: string }): 'application/zip' | 'application/dicom' {
  return /\.zip$/i.test(file.name) || file.type === 'application/zip' || file.type === 'application/x-zip-compressed' ? 'application/zip' : 'application/dicom';
}
