import { createHash } from 'node:crypto';
import { aclFile, aclLine, agentHostAclRules, orchestratorAclRules, registryAclRules } from './redis-acl';

describe('Redis ACL rules', () => {
  it('binds a host to its own agents’ streams and lets it only XADD elsewhere', () => {
    const rules = agentHostAclRules(['QA-001', 'QA-002'], { transport: 'prod' });
    expect(rules).toEqual(
      expect.arrayContaining([
        '%RW~prod:{QA-001}:stream',
        '%RW~prod:{QA-001}:dlq',
        '%RW~prod:{QA-002}:stream',
        '(+xadd %W~prod:{*}:stream)',
        '&ea:signals:cancel',
      ]),
    );
    expect(rules.join(' ')).not.toMatch(/DEV-001|~\*|&\*|\+@all/);
    // Read/write on every stream would let a host consume any agent's tasks.
    expect(rules).not.toContain('%RW~prod:{*}:stream');
    expect(rules[0]).toBe('resetkeys');
  });

  it('refuses ids that are not agent ids (they become key patterns)', () => {
    expect(() => agentHostAclRules(['*'])).toThrow(/not an agent id/);
    expect(() => agentHostAclRules(['QA-001 ~*'])).toThrow(/not an agent id/);
    expect(() => agentHostAclRules(['QA-001'], { transport: 'a b' })).toThrow(/invalid transport key prefix/);
  });

  it('keeps the orchestrator on the bus and the registry on its prefix, both without dangerous commands', () => {
    expect(orchestratorAclRules()).toEqual(expect.arrayContaining(['~ea:*', '-@dangerous']));
    expect(registryAclRules({ registry: 'reg:' })).toEqual(expect.arrayContaining(['~reg:*', '&reg:*', '-@dangerous']));
    // Off the bus (no stream, lease or signal key); only the auth rate limits and stream tickets it shares.
    expect(registryAclRules().join(' ')).not.toMatch(/~ea:(\*|\{|signals)/);
    expect(registryAclRules().filter((r) => r.startsWith('~ea:'))).toEqual(['~ea:auth:*']);
  });

  it('writes passwords as SHA-256 only and switches the default user off', () => {
    const line = aclLine({ name: 'registry', password: 's3cret', rules: ['+ping'] });
    expect(line).toBe(`user registry on #${createHash('sha256').update('s3cret').digest('hex')} +ping`);
    expect(line).not.toContain('s3cret');
    expect(aclFile([{ name: 'registry', password: 'x', rules: [] }]).split('\n')[0]).toBe('user default off');
    expect(() => aclLine({ name: 'a b', password: 'x', rules: [] })).toThrow(/invalid ACL user name/);
  });
});
