// The test NRRD reader's own checks: the corpus only exercises little-endian gzip files.
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parseNrrd } from '../nrrd.js';

function nrrd(header: string[], payload: Buffer): Buffer {
  return Buffer.concat([Buffer.from(['NRRD0004', ...header, '', ''].join('\n'), 'latin1'), payload]);
}

describe('test NRRD reader', () => {
  const values = [1, -2, 300, -32768];
  const be = Buffer.alloc(8);
  values.forEach((v, i) => be.writeInt16BE(v, i * 2));
  const le = Buffer.alloc(8);
  values.forEach((v, i) => le.writeInt16LE(v, i * 2));
  const header = (encoding: string, endian: string) => [
    '# comment',
    'type: short',
    'dimension: 3',
    'space: left-posterior-superior',
    'sizes: 2 2 1',
    'space directions: (0.5,0,0) (0,-0.75,0) (0,0,3)',
    `endian: ${endian}`,
    `encoding: ${encoding}`,
    'space origin: (-1,2.5,10)',
  ];

  it.each([
    ['raw big endian', nrrd(header('raw', 'big'), be)],
    ['raw little endian', nrrd(header('raw', 'little'), le)],
    ['gzip big endian', nrrd(header('gzip', 'big'), gzipSync(be))],
  ])('reads %s', (_name, file) => {
    const n = parseNrrd(file);
    expect([...n.data]).toEqual(values);
    expect(n.sizes).toEqual([2, 2, 1]);
    expect(n.spaceDirections).toEqual([[0.5, 0, 0], [0, -0.75, 0], [0, 0, 3]]);
    expect(n.spaceOrigin).toEqual([-1, 2.5, 10]);
  });

  it.each([
    ['a bad magic', Buffer.from('PNG\n\n')],
    ['a short payload', nrrd(header('raw', 'little'), le.subarray(0, 6))],
    ['an unsupported encoding', nrrd(header('bzip2', 'little'), le)],
    ['sizes that disagree with the dimension', nrrd(header('raw', 'little').map((l) => (l.startsWith('sizes') ? 'sizes: 4 1' : l)), le)],
  ])('refuses %s', (_name, file) => {
    expect(() => parseNrrd(file)).toThrow(/NRRD/);
  });
});
