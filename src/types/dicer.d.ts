// Minimal types for dicer 0.3 (a streaming multipart parser; busboy only accepts multipart/form-data, and
// DICOMweb STOW-RS sends multipart/related).
declare module 'dicer' {
  import { Writable, Readable } from 'node:stream';
  interface DicerConfig {
    boundary: string;
    maxHeaderPairs?: number;
    partHwm?: number;
  }
  class Dicer extends Writable {
    constructor(cfg: DicerConfig);
    on(event: 'part', listener: (part: Readable & { on(event: 'header', l: (h: Record<string, string[]>) => void): Readable }) => void): this;
    on(event: 'finish' | 'close', listener: () => void): this;
    on(event: 'error', listener: (err: Error) => void): this;
    on(event: string, listener: (...args: any[]) => void): this;
  }
  export = Dicer;
}
