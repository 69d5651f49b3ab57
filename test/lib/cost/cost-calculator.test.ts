import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readmeCostSection, replaceCostSection, stageCostText } from '../../../lib/cost/cost-report';
import { loadPriceList, PriceError, priceOf } from '../../../lib/cost/price-list';
import { readInventory } from '../../../lib/cost/resource-inventory';
import { eventPollerUnits } from '../../../lib/cost/idle-cost';
import { runsPerMonth, ScheduleError } from '../../../lib/cost/scheduled-cost';
import { estimateStageCost } from '../../../lib/cost/stage-cost';
import type { StageTemplates } from '../../../lib/cost/template-reader';

const prices = loadPriceList('us-east-1');

/** A state machine definition as CDK writes it: JSON in an Fn::Join, with intrinsics inside strings. */
const definition = {
  'Fn::Join': [
    '',
    [
      '{"StartAt":"Create","States":{"Create":{"Type":"Task","Resource":"arn:',
      { Ref: 'AWS::Partition' },
      ':states:::elasticmapreduce:createCluster.sync","Parameters":{"Name":"run","Instances":{"Ec2SubnetId":"',
      { 'Fn::GetAtt': ['Subnet', 'SubnetId'] },
      '","InstanceGroups":[{"InstanceRole":"MASTER","InstanceType":"m7g.xlarge","InstanceCount":1},',
      '{"InstanceRole":"CORE","InstanceType":"m7g.xlarge","InstanceCount":3}]}},"Next":"Crawl"},',
      '"Crawl":{"Type":"Task","Resource":"arn:aws:states:::aws-sdk:glue:startCrawler","Next":"Check"},',
      '"Check":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Next":"Load"},',
      '"Load":{"Type":"Task","Resource":"arn:aws:states:::glue:startJobRun.sync","End":true}}}',
    ],
  ],
};

const templates: StageTemplates = {
  'x-network': {
    Resources: {
      Nat: { Type: 'AWS::EC2::NatGateway' },
      Kms: {
        Type: 'AWS::EC2::VPCEndpoint',
        Properties: {
          VpcEndpointType: 'Interface',
          ServiceName: { 'Fn::Join': ['', ['com.amazonaws.', { Ref: 'AWS::Region' }, '.kms']] },
          SubnetIds: ['a', 'b'],
        },
      },
      Data: {
        Type: 'AWS::EC2::VPCEndpoint',
        Properties: {
          VpcEndpointType: 'Interface',
          ServiceName: 'com.amazonaws.us-east-1.redshift-data',
          SubnetIds: ['a'],
        },
      },
      S3: { Type: 'AWS::EC2::VPCEndpoint', Properties: { VpcEndpointType: 'Gateway' } },
    },
  },
  'x-streaming': {
    Resources: {
      Cluster: {
        Type: 'AWS::MSK::Cluster',
        Properties: {
          NumberOfBrokerNodes: 3,
          BrokerNodeGroupInfo: {
            InstanceType: 'kafka.t3.small',
            StorageInfo: { EBSStorageInfo: { VolumeSize: 20 } },
          },
        },
      },
      Source: {
        Type: 'AWS::KafkaConnect::Connector',
        Properties: {
          ConnectorName: 'source',
          Capacity: { ProvisionedCapacity: { McuCount: 2, WorkerCount: 3 } },
        },
      },
      Sink: {
        Type: 'AWS::KafkaConnect::Connector',
        Properties: { ConnectorName: 'sink', Capacity: { AutoScaling: { McuCount: 1, MinWorkerCount: 2 } } },
      },
    },
  },
  'x-orchestration': {
    Resources: {
      Machine: { Type: 'AWS::StepFunctions::StateMachine', Properties: { DefinitionString: definition } },
      Tick: { Type: 'AWS::Events::Rule', Properties: { ScheduleExpression: 'rate(1 hour)' } },
      Finished: { Type: 'AWS::Events::Rule', Properties: { EventPattern: {} } },
      Job: { Type: 'AWS::Glue::Job', Properties: { WorkerType: 'G.2X', NumberOfWorkers: 3 } },
      Workgroup: { Type: 'AWS::RedshiftServerless::Workgroup', Properties: { BaseCapacity: 16 } },
      Key: { Type: 'AWS::KMS::Key' },
      Alarm1: { Type: 'AWS::CloudWatch::Alarm' },
      Alarm2: { Type: 'AWS::CloudWatch::Alarm' },
    },
  },
};

describe('resource inventory from templates', () => {
  it('reads brokers, connector capacity, endpoint zones, the schedule and what a run starts', () => {
    const inventory = readInventory(templates);
    expect(inventory.brokers).toEqual([{ instanceType: 'kafka.t3.small', count: 3, volumeGiB: 20 }]);
    expect(inventory.connectors).toEqual([
      { name: 'source', mcuPerWorker: 2, workers: 3 },
      { name: 'sink', mcuPerWorker: 1, workers: 2 },
    ]);
    expect(inventory.interfaceEndpoints).toEqual([
      { service: 'kms', zones: 2 },
      { service: 'redshift-data', zones: 1 },
    ]);
    expect(inventory.natGateways).toBe(1);
    expect(inventory.runSchedule).toBe('rate(1 hour)');
    expect(inventory.warehouse).toEqual({ kind: 'serverless', baseRpu: 16 });
    expect(inventory.run).toEqual({
      states: 4,
      emrInstanceGroups: [
        { role: 'MASTER', instanceType: 'm7g.xlarge', count: 1 },
        { role: 'CORE', instanceType: 'm7g.xlarge', count: 3 },
      ],
      crawlerStarts: 1,
      glueJobRuns: 1,
      lambdaTasks: 1,
    });
  });
});

describe('stage cost', () => {
  const cost = estimateStageCost('x', templates, prices);
  const line = (item: string) => cost.idle.find((l) => l.item === item)?.usd;
  const hours = prices.hoursPerMonth;

  it('prices each idle item from its quantity in the templates', () => {
    expect(line('MSK brokers')).toBeCloseTo(3 * hours * priceOf(prices, 'msk.brokerHour.kafka.t3.small'));
    expect(line('MSK broker storage')).toBeCloseTo(3 * 20 * priceOf(prices, 'msk.storageGbMonth'));
    // 2 MCU × 3 workers + 1 MCU × 2 workers (an autoscaled connector at its minimum).
    expect(line('MSK Connect workers')).toBeCloseTo(8 * hours * priceOf(prices, 'mskConnect.mcuHour'));
    expect(line('Interface endpoints')).toBeCloseTo(
      3 * hours * priceOf(prices, 'privatelink.interfaceEndpointAzHour'),
    );
    expect(line('NAT gateways')).toBeCloseTo(hours * priceOf(prices, 'vpc.natGatewayHour'));
    expect(line('CloudWatch alarms')).toBeCloseTo(2 * priceOf(prices, 'cloudwatch.alarmMonth'));
    expect(line('Redshift nodes')).toBeUndefined();
  });

  it('prices one run from the cluster the state machine creates, with minimum billing', () => {
    const emr = cost.run.filter((l) => l.item.startsWith('EMR')).reduce((sum, l) => sum + l.usd, 0);
    const nodeHour =
      priceOf(prices, 'ec2.instanceHour.m7g.xlarge') + priceOf(prices, 'emr.instanceHour.m7g.xlarge');
    expect(emr).toBeCloseTo(4 * nodeHour * (15 / 60));
    const crawler = cost.run.find((l) => l.item === 'Glue crawler');
    // Glue bills a crawler run 10 minutes at least.
    expect(crawler?.usd).toBeCloseTo((2 * 10 * priceOf(prices, 'glue.dpuHour')) / 60);
    const load = cost.run.find((l) => l.item === 'Glue load job');
    expect(load?.basis).toContain('3 × G.2X (6 DPU)');
    expect(cost.monthUsd).toBeCloseTo(cost.idleUsd + 730 * cost.runUsd);
  });

  it('prints the idle month first, then one run, then the month at the schedule', () => {
    const text = stageCostText(cost).split('\n');
    expect(text[0]).toBe(`x idle: $${Math.round(cost.idleUsd)}/month`);
    expect(text).toContain(`x one run: $${cost.runUsd.toFixed(2)}`);
    expect(text.some((l) => l.startsWith('x month at rate(1 hour): $'))).toBe(true);
  });

  it('replaces only the marked README section', () => {
    const section = readmeCostSection([cost], prices);
    const readme = `# t\n\nbefore\n<!-- cost:begin -->\nold\n<!-- cost:end -->\nafter\n`;
    expect(replaceCostSection(readme, section)).toBe(`# t\n\nbefore\n${section}\nafter\n`);
    expect(() => replaceCostSection('# no markers', section)).toThrow(/Fix: put both markers/);
  });
});

describe('live-alerts event pollers', () => {
  it('counts one EPU per mapping outside a poller group and shares EPUs inside one', () => {
    expect(eventPollerUnits([{ minimum: 1, group: undefined }])).toBe(1);
    expect(eventPollerUnits([{ minimum: 12, group: undefined }])).toBe(2);
    expect(
      eventPollerUnits([
        { minimum: 1, group: 'g' },
        { minimum: 1, group: 'g' },
      ]),
    ).toBe(1);
    expect(eventPollerUnits([])).toBe(0);
  });

  it('prices the minimum pollers of a provisioned Kafka mapping every hour of the idle month', () => {
    const withPollers: StageTemplates = {
      ...templates,
      'x-alerts': {
        Resources: {
          Mapping: {
            Type: 'AWS::Lambda::EventSourceMapping',
            Properties: { ProvisionedPollerConfig: { MinimumPollers: 1, MaximumPollers: 2 } },
          },
        },
      },
    };
    const idle = estimateStageCost('x', withPollers, prices).idle;
    const pollers = idle.find((l) => l.item.startsWith('Lambda event pollers'));
    expect(pollers?.usd).toBeCloseTo(730 * priceOf(prices, 'lambda.eventPollerUnitHourKafka'));
  });
});

describe('crawlers on a schedule of their own', () => {
  it('counts the runs a month of a daily or hourly-step cron schedule', () => {
    expect(runsPerMonth('cron(15 2 * * ? *)', 730)).toBeCloseTo(730 / 24);
    expect(runsPerMonth('cron(0 */6 * * ? *)', 730)).toBeCloseTo((4 * 730) / 24);
    expect(runsPerMonth('cron(0 1,13 ? * * *)', 730)).toBeCloseTo((2 * 730) / 24);
  });

  it('refuses a schedule it cannot count, saying which form it counts', () => {
    expect(() => runsPerMonth('cron(0 2 ? * MON *)', 730)).toThrow(ScheduleError);
    expect(() => runsPerMonth('rate(1 day)', 730)).toThrow(/cron\(M H \* \* \? \*\)/);
  });

  it('prices a scheduled crawler in the month, not in the run', () => {
    const scheduled: StageTemplates = {
      ...templates,
      'x-analytics': {
        Resources: {
          Raw: {
            Type: 'AWS::Glue::Crawler',
            Properties: {
              Name: 'x-bank-pipeline-raw',
              Schedule: { ScheduleExpression: 'cron(15 2 * * ? *)' },
            },
          },
        },
      },
    };
    const cost = estimateStageCost('x', scheduled, prices);
    const daily = ((730 / 24) * 2 * 10 * priceOf(prices, 'glue.dpuHour')) / 60;
    expect(cost.scheduledUsd).toBeCloseTo(daily);
    expect(cost.monthUsd).toBeCloseTo(cost.idleUsd + 730 * cost.runUsd + daily);
  });
});

describe('price files', () => {
  it('stops a region without a price file, naming the regions that have one', () => {
    expect(() => loadPriceList('eu-west-9')).toThrow(PriceError);
    expect(() => loadPriceList('eu-west-9')).toThrow(
      /No price file for region eu-west-9.*Priced regions: us-east-1/,
    );
  });

  it('names a missing price and where to add it', () => {
    expect(() => priceOf(prices, 'msk.brokerHour.kafka.x9.huge')).toThrow(
      /No price "msk.brokerHour.kafka.x9.huge" in lib\/cost\/prices\/us-east-1.json/,
    );
  });

  it('gives every price its AWS pricing page, the day it was looked up and whether a stored AWS page confirmed it', () => {
    expect(prices.retrieved).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    for (const [key, price] of Object.entries(prices.prices)) {
      expect(price.source, key).toMatch(/^https:\/\/aws\.amazon\.com\/.+\/pricing\//);
      expect(price.retrieved, key).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(price.usd, key).toBeGreaterThan(0);
      expect(typeof price.verified, key).toBe('boolean');
      expect(price.evidence.length, key).toBeGreaterThan(20);
    }
  });

  it('refuses a price without its evidence, naming the key and what is missing', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'prices-'));
    const bare: Record<string, unknown> = { ...prices.prices['kms.keyMonth'] };
    delete bare.evidence;
    fs.writeFileSync(
      path.join(dir, 'us-east-1.json'),
      JSON.stringify({ ...prices, prices: { ...prices.prices, 'kms.keyMonth': bare } }),
    );
    expect(() => loadPriceList('us-east-1', dir)).toThrow(/price "kms.keyMonth" needs "evidence"/);
  });

  it('refuses a file that prices another region than its name', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'prices-'));
    fs.writeFileSync(path.join(dir, 'eu-west-1.json'), JSON.stringify({ ...prices, region: 'us-east-1' }));
    expect(() => loadPriceList('eu-west-1', dir)).toThrow(/prices us-east-1, not eu-west-1/);
  });
});
