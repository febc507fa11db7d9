/** The repro's local activity: takes a while, and counts how often each key's side effect ran. */
export function reproActivities(delayMs: number) {
  const runs = new Map<string, number>();
  return {
    runs,
    activities: {
      async record(workflowId: string, keys: string[]): Promise<void> {
        await new Promise((r) => setTimeout(r, delayMs));
        for (const key of keys) runs.set(`${workflowId}/${key}`, (runs.get(`${workflowId}/${key}`) ?? 0) + 1);
      },
    },
  };
}

export type ReproActivities = ReturnType<typeof reproActivities>['activities'];
