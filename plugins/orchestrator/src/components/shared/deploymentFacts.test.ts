import { deploymentActor, deploymentDecision, deploymentDuration, deploymentTrigger } from './deploymentFacts';

describe('deployment facts', () => {
  it('names what started a deployment', () => {
    expect(deploymentTrigger({ createdBy: 'git:ann@example.com', comment: 'git 0123 on main: fix' })).toBe('Git commit');
    expect(deploymentTrigger({ createdBy: 'baton:drift' })).toBe('Drift correction');
    expect(deploymentTrigger({ createdBy: 'user:default/ann', comment: 'Software template task 42' })).toBe('Template');
    expect(deploymentTrigger({ createdBy: 'user:default/ann', comment: 'Rollback to deployment d1' })).toBe('Rollback');
    expect(deploymentTrigger({ createdBy: 'user:default/ann', comment: 'Promote from dev (deployment d1)' })).toBe('Promotion');
    expect(deploymentTrigger({ createdBy: 'user:default/ann' })).toBe('UI');
    expect(deploymentTrigger({ createdBy: 'service:external:ci' })).toBe('API');
  });

  it('names who deployed and how long it took', () => {
    expect(deploymentActor('user:default/ann')).toBe('ann');
    expect(deploymentActor('git:ann@example.com')).toBe('ann@example.com');
    expect(deploymentDuration({ createdAt: '2026-01-01T00:00:00Z', startedAt: '2026-01-01T00:00:02Z', finishedAt: '2026-01-01T00:01:07Z' })).toBe('1m 05s');
    expect(deploymentDuration({ createdAt: '2026-01-01T00:00:00Z', finishedAt: '2026-01-01T00:00:09Z' })).toBe('9s');
    expect(deploymentDuration({ createdAt: '2026-01-01T00:00:00Z' })).toBeUndefined();
    // Rejected or superseded while awaiting approval: it never ran.
    expect(deploymentDuration({ status: 'rejected', createdAt: '2026-01-01T00:00:00Z', finishedAt: '2026-01-01T00:00:37Z' })).toBeUndefined();
    expect(deploymentDuration({ status: 'cancelled', createdAt: '2026-01-01T00:00:00Z', finishedAt: '2026-01-01T00:00:37Z' })).toBeUndefined();
  });

  it('says who approved or rejected a deployment', () => {
    expect(deploymentDecision({ status: 'succeeded', decidedBy: 'user:default/bob' })).toBe('approved by bob');
    expect(deploymentDecision({ status: 'rejected', decidedBy: 'service:release-manager' })).toBe('rejected by service:release-manager');
    expect(deploymentDecision({ status: 'awaiting-approval' })).toBeUndefined();
  });
});
