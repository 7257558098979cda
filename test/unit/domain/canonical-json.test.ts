import { canonicalJson } from '../../../domain/canonical-json';

describe('canonicalJson', () => {
  it('gives the same text whatever order the keys were written in, at every level', () => {
    const a = { kind: 'x', details: { b: 1, a: [{ z: 1, y: 2 }] }, at: 't' };
    const b = { at: 't', details: { a: [{ y: 2, z: 1 }], b: 1 }, kind: 'x' };
    expect(canonicalJson(a)).toBe(canonicalJson(b));
    expect(canonicalJson(a)).toBe('{"at":"t","details":{"a":[{"y":2,"z":1}],"b":1},"kind":"x"}');
  });

  it('keeps array order, because order in a list carries meaning', () => {
    expect(canonicalJson([3, 1, 2])).toBe('[3,1,2]');
    expect(canonicalJson(['b', 'a'])).not.toBe(canonicalJson(['a', 'b']));
  });

  it('drops undefined fields, so an absent and an undefined field hash alike', () => {
    expect(canonicalJson({ a: 1, b: undefined })).toBe(canonicalJson({ a: 1 }));
  });

  it('keeps null fields, which differ from absent ones', () => {
    expect(canonicalJson({ a: null })).toBe('{"a":null}');
  });

  it('writes scalars as JSON does', () => {
    expect(canonicalJson('text')).toBe('"text"');
    expect(canonicalJson(42)).toBe('42');
    expect(canonicalJson(null)).toBe('null');
  });
});
