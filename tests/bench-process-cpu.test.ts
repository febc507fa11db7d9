import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { cpuBetween, cpuGroups, cpuMsPer, cpuSnapshot } from '../bench/process-cpu.js';

describe('the benches’ CPU per process (bench/process-cpu.ts)', () => {
  it.runIf(process.platform === 'linux')('counts a busy child’s CPU to its own group, and next to nothing to an idle one', async () => {
    // Busy for 600 ms, then idle but alive, so that both snapshots see it.
    const busy = spawn(process.execPath, ['-e', 'const end = Date.now() + 600; while (Date.now() < end); setTimeout(() => {}, 1500)', 'busy-child']);
    const idle = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 1500)', 'idle-child']);
    try {
      await new Promise((r) => setTimeout(r, 50));
      const before = cpuSnapshot();
      await new Promise((r) => setTimeout(r, 900));
      const after = cpuSnapshot();
      const busyGroup = after.get(busy.pid!)!.group;
      const idleGroup = after.get(idle.pid!)!.group;
      expect(busyGroup).toContain('busy-child');
      expect(idleGroup).toContain('idle-child');
      expect(after.get(process.pid)!.group).toBe('bench process');
      const cpu = cpuBetween(before, after);
      expect(cpu[busyGroup]).toBeGreaterThan(0.2);
      expect(cpu[idleGroup] ?? 0).toBeLessThan(0.1);
      // As the benches print it: milliseconds per unit, the total of the groups last.
      const perTwo = cpuMsPer(cpu, 2);
      expect(perTwo[busyGroup]).toBe(Math.round((cpu[busyGroup]! * 1000) / 2));
      expect(perTwo.total).toBe(Object.entries(perTwo).filter(([g]) => g !== 'total').reduce((sum, [, ms]) => sum + ms, 0));
      expect(cpuGroups([perTwo]).at(-1)).toBe('total');
    } finally {
      for (const child of [busy, idle]) child.kill();
      await Promise.all([busy, idle].map((c) => (c.exitCode === null && c.signalCode === null ? once(c, 'exit') : null)));
    }
  });
});
