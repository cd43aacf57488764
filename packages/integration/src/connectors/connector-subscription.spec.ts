import { selectSubscription, type ConnectorSubscription } from './connector-subscription';

const sub = (s: Partial<ConnectorSubscription>): ConnectorSubscription => ({
  objectType: '*',
  taskType: '*',
  processType: 'async',
  dataType: 'simple',
  ...s,
});

describe('selectSubscription', () => {
  it('matches by object type and task type, with * for all', () => {
    const subs = [sub({ objectType: 'cms.article', taskType: 'delete' })];
    expect(selectSubscription(subs, 'cms.article', 'delete')).toEqual({
      processType: 'async',
      dataType: 'simple',
    });
    expect(selectSubscription(subs, 'cms.article', 'update')).toBeUndefined();
    expect(selectSubscription(subs, 'cms.category', 'delete')).toBeUndefined();
    expect(selectSubscription([sub({})], 'anything', 'custom')).toBeDefined();
    expect(selectSubscription([], 'cms.article', 'create')).toBeUndefined();
  });

  it('the highest-priority process type wins: sync over async, then snapshot over simple', () => {
    const subs = [
      sub({ objectType: 'cms.article', dataType: 'snapshot' }),
      sub({ processType: 'sync' }),
      sub({ objectType: 'cms.article', taskType: 'update' }),
    ];
    expect(selectSubscription(subs, 'cms.article', 'update')).toEqual({
      processType: 'sync',
      dataType: 'simple',
    });
    expect(selectSubscription(subs.slice(0, 1).concat(subs[2]), 'cms.article', 'update')).toEqual({
      processType: 'async',
      dataType: 'snapshot',
    });
    expect(
      selectSubscription(
        [...subs, sub({ processType: 'sync', dataType: 'snapshot', objectType: 'cms.article' })],
        'cms.article',
        'create',
      ),
    ).toEqual({ processType: 'sync', dataType: 'snapshot' });
  });
});
