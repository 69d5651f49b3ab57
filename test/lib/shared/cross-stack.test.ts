import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as emr from 'aws-cdk-lib/aws-emr';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPLACEMENT_PROPERTIES } from '../../../lib/shared/replacement-fingerprint';
import {
  type CfnTemplate,
  type PipelineVariant,
  resolveStackOutput,
  resourcesOfType,
  stackOutputReferences,
  synthPipelineVariant,
} from '../../helpers/cross-stack';
import { loadTemplateJson, PIPELINE_PARTS, stackNames, TEST_STAGES } from '../../helpers/synth-pipeline';

/** Every stack but the foundation reads values another stack publishes. */
const CONSUMERS = PIPELINE_PARTS.filter((part) => part !== 'foundation');

describe.each(TEST_STAGES)('cross-stack references (%s)', (stage) => {
  it('every Fn::GetStackOutput names an output of its producer, carrying the producer’s replacement fingerprint', () => {
    const references = stackNames(stage).flatMap((name) =>
      stackOutputReferences(loadTemplateJson(stage, name.replace(`${stage}-bankpipe-`, ''))),
    );
    expect(references.length).toBeGreaterThan(100);
    for (const reference of references) {
      const value = {
        'Fn::GetStackOutput': { StackName: reference.stackName, OutputName: reference.outputName },
      };
      expect(() => resolveStackOutput(stage, value), reference.outputName).not.toThrow();
      // CDK's own output name plus the 8-character fingerprint (pipeline-stack.ts).
      expect(reference.outputName).toMatch(/^PublishOutput\w+[0-9A-F]{8}$/);
    }
  });

  it('publishes only resource types whose replacement properties are listed (others would be fingerprinted whole)', () => {
    const types = new Set(
      stackNames(stage).flatMap((name) =>
        stackOutputReferences(loadTemplateJson(stage, name.replace(`${stage}-bankpipe-`, ''))).map(
          (reference) =>
            resolveStackOutput(stage, {
              'Fn::GetStackOutput': { StackName: reference.stackName, OutputName: reference.outputName },
            }).resource.Type,
        ),
      ),
    );
    expect(types.size).toBeGreaterThan(10);
    expect([...types].filter((type) => !(type in REPLACEMENT_PROPERTIES))).toEqual([]);
  });

  it('hands the EMR security configuration over by its derived name, never by reference', () => {
    const processing = loadTemplateJson(stage, 'processing');
    const configurations = resourcesOfType(processing, 'AWS::EMR::SecurityConfiguration');
    expect(configurations).toHaveLength(1);
    const [logicalId, configuration] = configurations[0] as (typeof configurations)[number];
    const name = configuration.Properties?.Name;
    expect(name).toMatch(new RegExp(`^${stage}-bankpipe-processing-emr-[0-9a-f]{12}$`));
    const orchestration = loadTemplateJson(stage, 'orchestration');
    expect(JSON.stringify(orchestration)).toContain(name as string);
    for (const part of CONSUMERS) {
      const targets = stackOutputReferences(loadTemplateJson(stage, part))
        .filter((reference) => reference.stackName === `${stage}-bankpipe-processing`)
        .map((reference) =>
          resolveStackOutput(stage, {
            'Fn::GetStackOutput': { StackName: reference.stackName, OutputName: reference.outputName },
          }),
        );
      expect(targets.map((target) => target.logicalId)).not.toContain(logicalId);
    }
  });
});

/** Logical ids of the resources whose synthesized text differs between two templates. */
function changedResources(before: CfnTemplate, after: CfnTemplate): string[] {
  return Object.keys(before.Resources)
    .filter((id) => JSON.stringify(before.Resources[id]) !== JSON.stringify(after.Resources[id]))
    .sort();
}

/** Resources of a template that read a published output whose name contains `producerId`. */
function readersOf(template: CfnTemplate, producerId: string): string[] {
  return [
    ...new Set(
      stackOutputReferences(template)
        .filter((reference) => reference.outputName.includes(producerId))
        .map((reference) => reference.resource),
    ),
  ].sort();
}

describe('a producer change that replaces a resource reaches every consumer template', () => {
  let baseline: PipelineVariant;
  /** EMR security configuration changed; the Lambda security group gets a tag and a rule (no replacement). */
  let emrChanged: PipelineVariant;
  /** The Lambda security group's description changes (replaced); subnets move to zone IDs (replaced). */
  let replaced: PipelineVariant;

  /** Subnets placed by zone names. */
  let named: PipelineVariant;

  beforeAll(() => {
    baseline = synthPipelineVariant('dev');
    named = synthPipelineVariant('dev', {
      stageOverrides: { network: { availabilityZones: ['eu-central-1b', 'eu-central-1c', 'eu-central-1a'] } },
    });
    emrChanged = synthPipelineVariant('dev', {
      change: ({ processing, network }) => {
        const resource = processing.securityConfiguration.resource as emr.CfnSecurityConfiguration;
        resource.securityConfiguration = {
          ...(resource.securityConfiguration as Record<string, unknown>),
          InstanceMetadataServiceConfiguration: {
            MinimumInstanceMetadataServiceVersion: 2,
            HttpPutResponseHopLimit: 2,
          },
        };
        const lambdaGroup = network.securityGroups.lambda as ec2.SecurityGroup;
        lambdaGroup.node.addMetadata('note', 'metadata only');
        (lambdaGroup.node.defaultChild as ec2.CfnSecurityGroup).tags.setTag('team', 'data-platform');
      },
    });
    replaced = synthPipelineVariant('dev', {
      stageOverrides: { network: { availabilityZones: ['euc1-az2', 'euc1-az3', 'euc1-az1'] } },
      change: ({ network }) => {
        const lambdaGroup = network.securityGroups.lambda.node.defaultChild as ec2.CfnSecurityGroup;
        lambdaGroup.groupDescription = 'Pipeline Lambdas inside the VPC (renamed)';
      },
    });
  });

  it('a new EMR security configuration renames it, and the run state machine carries the new name', () => {
    const nameIn = (variant: PipelineVariant): string =>
      resourcesOfType(variant.template('processing'), 'AWS::EMR::SecurityConfiguration')[0]?.[1].Properties
        ?.Name as string;
    expect(nameIn(emrChanged)).not.toBe(nameIn(baseline));
    const [[stateMachineId]] = resourcesOfType(
      baseline.template('orchestration'),
      'AWS::StepFunctions::StateMachine',
    );
    expect(
      changedResources(baseline.template('orchestration'), emrChanged.template('orchestration')),
    ).toContain(stateMachineId);
    expect(JSON.stringify(emrChanged.template('orchestration'))).toContain(nameIn(emrChanged));
    expect(JSON.stringify(emrChanged.template('orchestration'))).not.toContain(nameIn(baseline));
  });

  it('a change that does not replace a security group leaves its consumers’ templates alone', () => {
    // (processing changed too: it holds the new EMR security configuration)
    for (const part of ['streaming', 'warehouse', 'analytics']) {
      expect(changedResources(baseline.template(part), emrChanged.template(part)), part).toEqual([]);
    }
    const readers = readersOf(baseline.template('orchestration'), 'LambdaSecurityGroup');
    expect(readers.length).toBeGreaterThan(0);
    const changed = changedResources(
      baseline.template('orchestration'),
      emrChanged.template('orchestration'),
    );
    expect(changed.filter((id) => readers.includes(id))).toEqual([]);
  });

  it('a replaced security group changes every resource that reads it, in every consumer stack', () => {
    let readersSeen = 0;
    for (const part of CONSUMERS) {
      const readers = readersOf(baseline.template(part), 'LambdaSecurityGroup');
      readersSeen += readers.length;
      const changed = changedResources(baseline.template(part), replaced.template(part));
      expect(
        readers.filter((id) => !changed.includes(id)),
        part,
      ).toEqual([]);
    }
    expect(readersSeen).toBeGreaterThan(5);
  });

  it('subnets replaced by a zone change reach the services that run in them', () => {
    for (const part of ['streaming', 'warehouse', 'analytics', 'processing', 'orchestration']) {
      const readers = readersOf(baseline.template(part), 'Subnet');
      expect(readers.length, part).toBeGreaterThan(0);
      const changed = changedResources(baseline.template(part), replaced.template(part));
      expect(
        readers.filter((id) => !changed.includes(id)),
        part,
      ).toEqual([]);
    }
  });

  it('with zone IDs, what needs a zone name (the Glue connection) reads it from the subnet it runs in', () => {
    const connections = resourcesOfType(replaced.template('analytics'), 'AWS::Glue::Connection');
    expect(connections).toHaveLength(1);
    const connection = (connections[0] as (typeof connections)[number])[1] as {
      Properties?: { ConnectionInput?: { PhysicalConnectionRequirements?: Record<string, unknown> } };
    };
    const requirements = connection.Properties?.ConnectionInput?.PhysicalConnectionRequirements ?? {};
    const outputOf = (value: unknown) => {
      const ref = (value as { 'Fn::GetStackOutput': { OutputName: string } })['Fn::GetStackOutput'];
      return replaced.template('network').Outputs?.[ref.OutputName]?.Value;
    };
    const subnet = outputOf(requirements.SubnetId) as { Ref: string };
    expect(outputOf(requirements.AvailabilityZone)).toEqual({
      'Fn::GetAtt': [subnet.Ref, 'AvailabilityZone'],
    });
    expect(replaced.template('network').Resources[subnet.Ref]?.Properties?.AvailabilityZoneId).toBe(
      'euc1-az2',
    );
  });

  it('with zone names, only the subnets name a zone: every other stack reads the name from a subnet', () => {
    for (const part of CONSUMERS.filter((name) => name !== 'network')) {
      expect(JSON.stringify(named.template(part)), part).not.toMatch(/eu-central-1[abc]"/);
    }
    const connections = resourcesOfType(named.template('analytics'), 'AWS::Glue::Connection');
    const connection = (connections[0] as (typeof connections)[number])[1] as {
      Properties?: { ConnectionInput?: { PhysicalConnectionRequirements?: Record<string, unknown> } };
    };
    const zone = connection.Properties?.ConnectionInput?.PhysicalConnectionRequirements?.AvailabilityZone as {
      'Fn::GetStackOutput': { OutputName: string };
    };
    const output = named.template('network').Outputs?.[zone['Fn::GetStackOutput'].OutputName]?.Value as {
      'Fn::GetAtt': [string, string];
    };
    const [subnetId, attribute] = output['Fn::GetAtt'];
    expect(attribute).toBe('AvailabilityZone');
    expect(named.template('network').Resources[subnetId]?.Properties?.AvailabilityZone).toBe('eu-central-1b');
  });
});
