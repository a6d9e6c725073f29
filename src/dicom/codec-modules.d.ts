// jpeg-lossless-decoder-js 2.1 points "types" at a file it does not ship; this is the part Corelab uses.
declare module 'jpeg-lossless-decoder-js' {
  export class Decoder {
    xDim: number;
    yDim: number;
    numComp: number;
    precision: number;
    decode(buffer: ArrayBuffer, offset?: number, length?: number, numBytes?: number): ArrayBuffer | Uint8Array | Uint16Array;
  }
}
