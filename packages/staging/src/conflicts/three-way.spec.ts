// The comparisons of conflict detection on their own: which task meets a conflict, and how a merge takes fields.
import { detectConflict, holds, mergeFields } from './three-way';

describe('detectConflict', () => {
  const base = { title: 'v1', body: 'b' };
  it.each([
    ['update, target as staging left it', 'update', base, { title: 'v2', body: 'b' }, base, undefined],
    [
      'update, edited here',
      'update',
      base,
      { title: 'v2', body: 'b' },
      { title: 'mine', body: 'b' },
      'changed',
    ],
    [
      'update, edited here exactly as the source did',
      'update',
      base,
      { title: 'v2' },
      { title: 'v2', body: 'b' },
      undefined,
    ],
    ['update, deleted here', 'update', base, { title: 'v2' }, null, 'deleted-on-target'],
    ['update, no base, object here', 'update', undefined, { title: 'v2' }, { title: 'mine' }, undefined],
    ['update, no base, object missing', 'update', undefined, { title: 'v2' }, null, undefined],
    ['delete, target as staging left it', 'delete', base, null, base, undefined],
    ['delete, edited here', 'delete', base, null, { title: 'mine', body: 'b' }, 'changed'],
    ['delete, deleted here too', 'delete', base, null, null, undefined],
    ['create, missing here', 'create', undefined, { title: 'v1' }, null, undefined],
    ['create, missing here though a base exists', 'create', base, { title: 'v1' }, null, undefined],
    [
      'create, the same content here',
      'create',
      undefined,
      { title: 'v1' },
      { title: 'v1', body: 'x' },
      undefined,
    ],
    [
      'create, other content here',
      'create',
      undefined,
      { title: 'v1' },
      { title: 'other' },
      'created-on-both',
    ],
  ] as const)('%s', (_name, taskType, b, source, target, expected) => {
    expect(detectConflict(taskType, b, source, target)).toBe(expected);
  });

  it('compares values in canonical JSON: key order inside values does not count', () => {
    expect(holds({ attrs: { b: 1, a: 2 } }, { attrs: { a: 2, b: 1 } })).toBe(true);
    expect(holds({ attrs: { a: 2 } }, { attrs: { a: 3 } })).toBe(false);
  });
});

describe('mergeFields', () => {
  const base = { title: 'v1', body: 'b1', views: 1 };
  it('takes each field from the side that changed it, and keeps fields neither changed', () => {
    expect(mergeFields(base, { ...base, title: 'v2' }, { ...base, body: 'b2' })).toEqual({
      fields: { title: 'v2', body: 'b2', views: 1 },
      clashes: [],
    });
  });
  it('a field changed to the same value on both sides is no clash', () => {
    expect(mergeFields(base, { ...base, title: 'same' }, { ...base, title: 'same' }).clashes).toEqual([]);
  });
  it('a field changed differently on both sides is a clash, taken from the preferred side', () => {
    const source = { ...base, title: 'source' };
    const target = { ...base, title: 'target', views: 9 };
    expect(mergeFields(base, source, target)).toEqual({
      fields: { title: 'source', body: 'b1', views: 9 },
      clashes: ['title'],
    });
    expect(mergeFields(base, source, target, 'target').fields.title).toBe('target');
  });
  it('a field the source does not carry (a partial update) stays as the target has it', () => {
    expect(mergeFields(base, { title: 'v2' }, { ...base, body: 'mine' }).fields).toEqual({
      title: 'v2',
      body: 'mine',
      views: 1,
    });
  });
});
