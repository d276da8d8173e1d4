import { GroupCommit } from '../src/registers/group-commit';

const deferred = () => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
};

/** A group commit whose commits wait for a gate each, recording the groups they were given. */
const recorder = (options: { maxGroup?: number; maxQueued?: number; fail?: (members: string[]) => boolean } = {}) => {
  const groups: { key: string; members: string[] }[] = [];
  const gates: ReturnType<typeof deferred>[] = [];
  const commit = new GroupCommit<string, string>({
    commit: async (key, members) => {
      groups.push({ key, members });
      const gate = deferred();
      gates.push(gate);
      await gate.promise;
      if (options.fail?.(members)) throw new Error('group failed');
      return members.map((m) => `${m} committed`);
    },
    maxGroup: options.maxGroup ?? 100,
    maxQueued: options.maxQueued ?? 100,
    retryAfterSeconds: 3,
    identity: (member) => member.split('#')[0]!,
    what: 'registrations',
  });
  const open = async (n: number) => {
    await new Promise((resolve) => setImmediate(resolve));
    gates[n]!.resolve();
  };
  return { commit, groups, open };
};

describe('GroupCommit', () => {
  it('commits a member at an idle key at once, and gathers those arriving meanwhile into the next group', async () => {
    const { commit, groups, open } = recorder();
    const first = commit.submit('k', 'a');
    const later = ['b', 'c', 'd'].map((m) => commit.submit('k', m));
    expect(groups).toEqual([{ key: 'k', members: ['a'] }]);
    expect(commit.load()).toEqual({ running: 1, waiting: 3, capacity: 100 });
    await open(0);
    expect(await first).toBe('a committed');
    await open(1);
    expect(await Promise.all(later)).toEqual(['b committed', 'c committed', 'd committed']);
    expect(groups).toEqual([
      { key: 'k', members: ['a'] },
      { key: 'k', members: ['b', 'c', 'd'] },
    ]);
    expect(commit.load()).toEqual({ running: 0, waiting: 0, capacity: 100 });
  });

  it('commits keys independently, bounds a group, and never puts one identity twice in a group', async () => {
    const { commit, groups, open } = recorder({ maxGroup: 2 });
    const outcomes = [
      commit.submit('k', 'a'),
      commit.submit('other', 'x'),
      commit.submit('k', 'b'),
      commit.submit('k', 'b#again'),
      commit.submit('k', 'c'),
    ];
    expect(groups).toEqual([
      { key: 'k', members: ['a'] },
      { key: 'other', members: ['x'] },
    ]);
    await open(0);
    await open(1);
    await open(2);
    await open(3);
    expect(await Promise.all(outcomes)).toEqual(['a', 'x', 'b', 'b#again', 'c'].map((m) => `${m} committed`));
    expect(groups.slice(2)).toEqual([
      { key: 'k', members: ['b', 'c'] },
      { key: 'k', members: ['b#again'] },
    ]);
  });

  it('gives a failed group’s error to each of its members only, and refuses beyond its queue with 503', async () => {
    const { commit, open } = recorder({ maxQueued: 2, fail: (members) => members.includes('b') });
    const a = commit.submit('k', 'a');
    const b = commit.submit('k', 'b');
    const c = commit.submit('k', 'c');
    await expect(commit.submit('k', 'd')).rejects.toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      status: 503,
      retryAfterSeconds: 3,
    });
    await open(0);
    expect(await a).toBe('a committed');
    await open(1);
    await expect(b).rejects.toThrow('group failed');
    await expect(c).rejects.toThrow('group failed');
    const e = commit.submit('k', 'e');
    await open(2);
    expect(await e).toBe('e committed');
  });
});
