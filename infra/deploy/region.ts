/**
 * Where groeipad may run: AWS regions in the European Union, so that participants' personal data
 * (which passes through the API and the worker) stays under the GDPR without transfers. London
 * (eu-west-2) and Zurich (eu-central-2) carry the "eu-" prefix but are outside the Union, so they
 * are not on the list; neither is the European Sovereign Cloud, a separate partition.
 */
export const EU_REGIONS = ['eu-west-1', 'eu-west-3', 'eu-central-1', 'eu-north-1', 'eu-south-1', 'eu-south-2'] as const;

export type EuRegion = (typeof EU_REGIONS)[number];

export const DEFAULT_REGION: EuRegion = 'eu-west-1';

export function assertEuRegion(region: string | undefined): asserts region is EuRegion {
  if (!(EU_REGIONS as readonly (string | undefined)[]).includes(region)) {
    throw new Error(
      `groeipad deploys only to an AWS region in the EU (${EU_REGIONS.join(', ')}); got ${region ?? 'no region'}. ` +
        'Participants\' personal data must stay in the EU: set GROEIPAD_AWS_REGION to one of these.',
    );
  }
}
