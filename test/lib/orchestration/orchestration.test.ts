import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { RUN_STATES } from '../../../lib/orchestration/orchestration-run-state-machine';
import { PIPELINE_LAMBDA_RUNTIME } from '../../../lib/shared/pipeline-function';
import { START_RUN_LEASE_KEY, START_RUN_TIMEOUT_SECONDS } from '../../../lambda/start-run/start-run';
import { joinedText } from '../../helpers/cross-stack';
import { cdkJsonContext, loadTemplate, TEST_STAGES, type TestStage } from '../../helpers/synth-pipeline';
import { loadStageConfig } from '../../../lib/config';
import { applyNagPacks } from '../../../lib/shared/nag';
import { readWarehouseSqlFiles, splitSchemaAndReportFiles } from '../../../lib/warehouse/redshift-sql-files';
import { REPO_ROOT } from '../../../lib/shared/repo-root';
import { createStandIns, orchestrationOnStandIns } from '../stand-ins';
import * as path from 'node:path';

interface AslState {
  Type: string;
  Next?: string;
  End?: boolean;
  Default?: string;
  Resource?: string;
  Parameters?: Record<string, unknown>;
  Choices?: { Next: string; Variable?: string; IsPresent?: boolean; BooleanEquals?: boolean }[];
  Retry?: { ErrorEquals: string[]; MaxAttempts?: number; BackoffRate?: number }[];
  Catch?: { ErrorEquals: string[]; Next: string; ResultPath?: string; Assign?: Record<string, unknown> }[];
  TimeoutSeconds?: number;
}
interface Asl {
  StartAt: string;
  States: Record<string, AslState>;
  TimeoutSeconds?: number;
}

/**
 * A reference as a short placeholder: cross-stack imports/outputs become
 * `<RefRawBucket...>` / `<FnGetAtt...>` (the export name without its stack
 * prefix), local ones `<Logical.Attr>` / `<Ref:Logical>`.
 */
function placeholder(part: unknown): string {
  const p = part as Record<string, unknown>;
  if (typeof p['Fn::ImportValue'] === 'string')
    return `<${p['Fn::ImportValue'].replace(/^.*:ExportsOutput/, '')}>`;
  if (p['Fn::GetStackOutput']) {
    return `<${(p['Fn::GetStackOutput'] as { OutputName: string }).OutputName.replace(/^PublishOutput/, '')}>`;
  }
  if (Array.isArray(p['Fn::GetAtt'])) return `<${(p['Fn::GetAtt'] as string[]).join('.')}>`;
  if (typeof p.Ref === 'string') return `<Ref:${p.Ref}>`;
  return `<${JSON.stringify(part).replace(/"/g, '')}>`;
}

/** The DefinitionString (a Fn::Join of literal pieces and references) as text, references as placeholders. */
function definitionText(template: Template): string {
  const machines = Object.values(template.findResources('AWS::StepFunctions::StateMachine'));
  expect(machines).toHaveLength(1);
  return joinedText(machines[0].Properties.DefinitionString, placeholder);
}

/** Follows Next (and a Choice's first rule) from StartAt until a terminal state. */
function happyPath(asl: Asl): string[] {
  const path: string[] = [];
  let name: string | undefined = asl.StartAt;
  while (name !== undefined && !path.includes(name)) {
    path.push(name);
    const state: AslState = asl.States[name];
    name = state.Type === 'Choice' ? state.Choices?.[0].Next : state.Next;
  }
  return path;
}

function policyStatements(
  template: Template,
): { Action: string | string[]; Resource: unknown; Condition?: unknown; Sid?: string }[] {
  return Object.values(template.findResources('AWS::IAM::ManagedPolicy')).flatMap(
    (policy) => policy.Properties.PolicyDocument.Statement,
  );
}

const asList = (value: string | string[]): string[] => (Array.isArray(value) ? value : [value]);

const LOG_RETENTION: Record<TestStage, number> = { dev: 90, prod: 365 };

/** Whether the stage's run crawls the processed zone itself (no analytics.crawlerSchedule of its own). */
function crawlsEachRun(stage: TestStage): boolean {
  const context = cdkJsonContext();
  return (
    loadStageConfig((key) => (key === 'stage' ? stage : context[key])).analytics.crawlerSchedule === undefined
  );
}
const CRAWL_STATES: string[] = [
  RUN_STATES.startCrawler,
  RUN_STATES.waitForCrawler,
  RUN_STATES.checkCrawler,
  RUN_STATES.crawlerDone,
];

describe.each(TEST_STAGES)('OrchestrationStack (%s)', (stage) => {
  let template: Template;
  let text: string;
  let asl: Asl;

  beforeAll(() => {
    template = loadTemplate(stage, 'orchestration');
    text = definitionText(template);
    asl = JSON.parse(text) as Asl;
  });

  describe('run state machine', () => {
    it('passes through the run states in order', () => {
      expect(happyPath(asl)).toEqual([
        RUN_STATES.createCluster,
        RUN_STATES.runAtmJob,
        RUN_STATES.terminateCluster,
        RUN_STATES.reconcile,
        ...(crawlsEachRun(stage) ? CRAWL_STATES : []),
        RUN_STATES.loadWarehouse,
        RUN_STATES.prepareRefresh,
        RUN_STATES.refreshReports,
        RUN_STATES.reportsDone,
        RUN_STATES.succeeded,
      ]);
      expect(asl.States[RUN_STATES.succeeded].Type).toBe('Succeed');
    });

    it('uses the .sync integrations for the cluster, the step and the load job', () => {
      expect(asl.States[RUN_STATES.createCluster].Resource).toMatch(
        /:states:::elasticmapreduce:createCluster\.sync$/,
      );
      expect(asl.States[RUN_STATES.runAtmJob].Resource).toMatch(/:states:::elasticmapreduce:addStep\.sync$/);
      expect(asl.States[RUN_STATES.loadWarehouse].Resource).toMatch(/:states:::glue:startJobRun\.sync$/);
      if (crawlsEachRun(stage)) {
        expect(asl.States[RUN_STATES.startCrawler].Resource).toMatch(/:states:::aws-sdk:glue:startCrawler$/);
      } else {
        expect(Object.keys(asl.States)).not.toEqual(expect.arrayContaining([RUN_STATES.startCrawler]));
      }
      expect(asl.States[RUN_STATES.loadWarehouse].Parameters).toMatchObject({
        Arguments: { '--run_id.$': '$.runId' },
      });
    });

    it('leaves no unresolved token in the definition (escaping must not break references)', () => {
      expect(text).not.toMatch(/Token\[/);
      expect(text).not.toContain('$\\{');
    });

    it('creates a tagged per-run cluster with the processing settings and an idle auto-termination', () => {
      const params = asl.States[RUN_STATES.createCluster].Parameters as Record<string, unknown>;
      expect(params).toMatchObject({
        ReleaseLabel: 'emr-7.5.0',
        Applications: [{ Name: 'Spark' }],
        JobFlowRole: expect.stringMatching(/^<RefEmrInstanceProfile/),
        ServiceRole: expect.stringMatching(/^<RefEmrServiceRole/),
        // A name derived from the security configuration's document (emr-security-configuration.ts), not a reference.
        SecurityConfiguration: expect.stringMatching(
          new RegExp(`^${stage}-bankpipe-processing-emr-[0-9a-f]{12}$`),
        ),
        AutoTerminationPolicy: { IdleTimeout: 1800 },
        Instances: {
          Ec2SubnetId: expect.stringMatching(/^<Ref.*Subnet/),
          KeepJobFlowAliveWhenNoSteps: true,
        },
      });
      expect(params.Tags).toEqual(
        expect.arrayContaining([
          { Key: 'bankpipe:stage', Value: stage },
          { Key: 'bankpipe:run-id', 'Value.$': '$.runId' },
          { Key: 'for-use-with-amazon-emr-managed-policies', Value: 'true' },
        ]),
      );
    });

    it('submits the ATM job with the zones and the run id', () => {
      const step = (
        asl.States[RUN_STATES.runAtmJob].Parameters as { Step: { HadoopJarStep: Record<string, string> } }
      ).Step;
      const args = step.HadoopJarStep['Args.$'];
      expect(step.HadoopJarStep.Jar).toBe('command-runner.jar');
      const bucket = (name: string): string => `<Ref${name}Bucket[0-9A-F]+>`;
      expect(args).toMatch(
        new RegExp(
          [
            "^States\\.Array\\('spark-submit', '--deploy-mode', 'cluster', '--py-files', ",
            `'s3://${bucket('Artifacts')}/spark-jobs/atm/bankpipe\\.zip', 's3://${bucket('Artifacts')}/spark-jobs/atm/atm_job\\.py', `,
            `'--input', States\\.Format\\('s3://${bucket('Raw')}/\\{\\}', \\$\\.rawPrefix\\), `,
            `'--output', 's3://${bucket('Processed')}/', '--quarantine', 's3://${bucket('Quarantine')}/', `,
            "'--run-id', \\$\\.runId\\)$",
          ].join(''),
        ),
      );
    });

    it('retries transient errors with backoff and never retries permanent handler errors', () => {
      const atm = asl.States[RUN_STATES.runAtmJob].Retry ?? [];
      expect(atm.flatMap((r) => r.ErrorEquals)).toEqual(
        expect.arrayContaining(['EMR.AmazonElasticMapReduceException', 'States.TaskFailed']),
      );
      expect(atm[0].BackoffRate).toBeGreaterThan(1);
      const lambdaTasks = [RUN_STATES.reconcile, RUN_STATES.refreshReports];
      for (const name of crawlsEachRun(stage) ? [...lambdaTasks, RUN_STATES.checkCrawler] : lambdaTasks) {
        const errors = (asl.States[name].Retry ?? []).flatMap((r) => r.ErrorEquals);
        expect(errors).toEqual(expect.arrayContaining(['RetryableError', 'Lambda.ServiceException']));
        expect(errors).not.toContain('PermanentError');
        expect(errors).not.toContain('States.ALL');
      }
    });

    it('catches every task of the run and records which state failed', () => {
      const tasks = happyPath(asl).filter((name) => asl.States[name].Type === 'Task');
      // Start and check of the crawler are two of them where the run crawls.
      expect(tasks).toHaveLength(crawlsEachRun(stage) ? 8 : 6);
      for (const name of tasks) {
        expect(asl.States[name].Catch).toEqual([
          {
            ErrorEquals: ['States.ALL'],
            ResultPath: '$.failure',
            Next: RUN_STATES.clusterCreated,
            Assign: { failedState: name },
          },
        ]);
      }
    });

    it('on failure terminates the cluster if one was created, alerts, then fails with the original error', () => {
      const cleanup = asl.States[RUN_STATES.clusterCreated];
      expect(cleanup.Type).toBe('Choice');
      expect(cleanup.Choices).toEqual([
        { Variable: '$.cluster.ClusterId', IsPresent: true, Next: RUN_STATES.terminateAfterFailure },
      ]);
      expect(cleanup.Default).toBe(RUN_STATES.attemptRecorded);

      const terminate = asl.States[RUN_STATES.terminateAfterFailure];
      expect(terminate.Resource).toMatch(/:states:::elasticmapreduce:terminateCluster$/);
      expect(terminate.Parameters).toEqual({ 'ClusterId.$': '$.cluster.ClusterId' });
      // Errors of the clean-up are ignored: the alert is still sent.
      expect(terminate.Catch?.[0]).toMatchObject({
        ErrorEquals: ['States.ALL'],
        Next: RUN_STATES.attemptRecorded,
      });
      expect(terminate.Next).toBe(RUN_STATES.attemptRecorded);

      expect(asl.States[RUN_STATES.describeFailure].Parameters).toMatchObject({
        'runId.$': '$.runId',
        'attempt.$': '$.attempt',
        'failedState.$': '$failedState',
        'error.$': '$.failure.Error',
        'cause.$': '$.failure.Cause',
        // start-run retries by itself; the manual event names the next attempt.
        rerun: {
          automatic: expect.stringMatching(/retries the hour .* maxRunAttempts/),
          event: { 'window.$': '$.window', 'attempt.$': 'States.MathAdd($.attempt, 1)' },
        },
      });
      const notify = asl.States[RUN_STATES.notifyFailure];
      expect(notify.Resource).toMatch(/:states:::sns:publish$/);
      expect(notify.Parameters).toMatchObject({
        TopicArn: expect.stringMatching(/^<RefAlertsTopic/),
        'Message.$': 'States.JsonToString($.alert)',
      });
      expect(notify.Next).toBe(RUN_STATES.failed);
      expect(asl.States[RUN_STATES.failed]).toMatchObject({ Type: 'Fail', ErrorPath: '$.failure.Error' });
    });

    it('alerts with attempt 1 when an execution was started without "attempt" (States.MathAdd needs a number)', () => {
      const recorded = asl.States[RUN_STATES.attemptRecorded];
      expect(recorded.Type).toBe('Choice');
      expect(recorded.Choices).toEqual([
        { Variable: '$.attempt', IsPresent: true, Next: RUN_STATES.describeFailure },
      ]);
      expect(recorded.Default).toBe(RUN_STATES.defaultAttempt);
      expect(asl.States[RUN_STATES.defaultAttempt]).toEqual({
        Type: 'Pass',
        Result: 1,
        ResultPath: '$.attempt',
        Next: RUN_STATES.describeFailure,
      });
      // Every way into the alert passes the default first.
      const into = Object.entries(asl.States)
        .filter(([, state]) => JSON.stringify(state).includes(`"${RUN_STATES.describeFailure}"`))
        .map(([name]) => name)
        .sort();
      expect(into).toEqual([RUN_STATES.attemptRecorded, RUN_STATES.defaultAttempt].sort());
    });

    it('bounds every wait loop and keeps failures catchable with per-state timeouts', () => {
      if (crawlsEachRun(stage)) {
        expect(asl.States[RUN_STATES.crawlerDone].Default).toBe(RUN_STATES.waitForCrawler);
      }
      expect(asl.States[RUN_STATES.reportsDone].Default).toBe(RUN_STATES.waitForReports);
      expect(asl.States[RUN_STATES.createCluster].TimeoutSeconds).toBe(45 * 60);
      expect(asl.States[RUN_STATES.runAtmJob].TimeoutSeconds).toBe(4 * 3600);
      expect(asl.TimeoutSeconds).toBeGreaterThan(
        (asl.States[RUN_STATES.runAtmJob].TimeoutSeconds ?? 0) +
          (asl.States[RUN_STATES.loadWarehouse].TimeoutSeconds ?? 0),
      );
      template.hasResourceProperties('AWS::Lambda::Function', {
        Environment: {
          Variables: Match.objectLike({ CRAWLER_NAME: Match.anyValue(), MAX_POLLS: '60' }),
        },
      });
      template.hasResourceProperties('AWS::Lambda::Function', {
        Environment: {
          Variables: Match.objectLike({
            MAX_INVOCATIONS: Match.absent(),
            REPORT_VIEWS: Match.stringLikeRegexp('^banking\\.mv_'),
          }),
        },
      });
    });

    it('is a STANDARD machine logging ALL to a KMS-encrypted log group, with X-Ray', () => {
      template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
        StateMachineType: 'STANDARD',
        StateMachineName: `${stage}-bankpipe-run`,
        LoggingConfiguration: Match.objectLike({ Level: 'ALL' }),
        TracingConfiguration: { Enabled: true },
      });
      const logGroups = Object.values(template.findResources('AWS::Logs::LogGroup'));
      expect(logGroups.length).toBeGreaterThanOrEqual(5);
      for (const group of logGroups) {
        expect(group.Properties.KmsKeyId).toBeDefined();
        expect(group.Properties.RetentionInDays).toBe(LOG_RETENTION[stage]);
        expect(group.DeletionPolicy).toBe('Retain');
      }
    });
  });

  describe('least privilege', () => {
    it('has no inline policies and no AWS-managed policies (PCI DSS IAMNoInlinePolicy, AwsSolutions-IAM4)', () => {
      template.resourceCountIs('AWS::IAM::Policy', 0);
      for (const role of Object.values(template.findResources('AWS::IAM::Role'))) {
        expect(role.Properties.Policies).toBeUndefined();
        expect(role.Properties.ManagedPolicyArns).toBeUndefined();
      }
    });

    it('grants no wildcard actions', () => {
      for (const statement of policyStatements(template)) {
        for (const action of asList(statement.Action)) {
          expect(action, JSON.stringify(statement)).not.toMatch(/\*/);
        }
      }
    });

    it('uses a "*" resource only for actions that have no resource type, and conditions them where IAM allows', () => {
      const unscoped = policyStatements(template).filter(
        (s) => JSON.stringify(s.Resource).includes('"*"') || s.Resource === '*',
      );
      const allowed = new Set([
        'ec2:DescribeNetworkInterfaces',
        'ec2:DescribeSubnets',
        'xray:PutTraceSegments',
        'xray:PutTelemetryRecords',
        'xray:GetSamplingRules',
        'xray:GetSamplingTargets',
        'logs:CreateLogDelivery',
        'logs:GetLogDelivery',
        'logs:UpdateLogDelivery',
        'logs:DeleteLogDelivery',
        'logs:ListLogDeliveries',
        'logs:PutResourcePolicy',
        'logs:DescribeResourcePolicies',
        'logs:DescribeLogGroups',
        'elasticmapreduce:RunJobFlow',
        'redshift-data:DescribeStatement',
        // Redshift Serverless reads the refresh role's RedshiftDbRoles tag with these.
        'tag:GetResources',
        'tag:GetTagKeys',
      ]);
      for (const statement of unscoped) {
        for (const action of asList(statement.Action)) expect(allowed, action).toContain(action);
        if (
          asList(statement.Action).some(
            (a) => a.startsWith('elasticmapreduce:') || a.startsWith('redshift-data:'),
          )
        ) {
          expect(statement.Condition, JSON.stringify(statement)).toBeDefined();
        }
      }
    });

    it('limits EMR cluster actions to clusters tagged with this stage', () => {
      const emr = policyStatements(template).filter((s) => s.Sid === 'DriveOwnStageClusters');
      expect(emr).toHaveLength(1);
      expect(emr[0].Condition).toEqual({
        StringEquals: { 'elasticmapreduce:ResourceTag/bankpipe:stage': stage },
      });
      expect(asList(emr[0].Action)).toEqual(
        expect.arrayContaining(['elasticmapreduce:AddJobFlowSteps', 'elasticmapreduce:TerminateJobFlows']),
      );
    });

    it('creates clusters only with this stage tag, and tags only clusters that already carry it', () => {
      const statements = policyStatements(template).filter((s) =>
        asList(s.Action).some((a) => a === 'elasticmapreduce:RunJobFlow' || a === 'elasticmapreduce:AddTags'),
      );
      const create = statements.find((s) => asList(s.Action).includes('elasticmapreduce:RunJobFlow'));
      expect(asList(create?.Action ?? [])).toEqual(['elasticmapreduce:RunJobFlow']);
      expect(create?.Condition).toEqual({
        StringEquals: { 'elasticmapreduce:RequestTag/bankpipe:stage': stage },
      });
      const tagging = statements.filter((s) => asList(s.Action).includes('elasticmapreduce:AddTags'));
      expect(tagging, 'AddTags in exactly one statement').toHaveLength(1);
      const [addTags] = tagging;
      expect(asList(addTags?.Action ?? [])).toEqual(['elasticmapreduce:AddTags']);
      expect(JSON.stringify(addTags?.Resource)).toContain(':cluster/*');
      expect(addTags?.Condition).toEqual({
        StringEquals: { 'elasticmapreduce:ResourceTag/bankpipe:stage': stage },
        StringEqualsIfExists: { 'elasticmapreduce:RequestTag/bankpipe:stage': stage },
        'ForAllValues:StringEquals': { 'aws:TagKeys': ['bankpipe:stage', 'bankpipe:run-id'] },
      });
    });

    it('lets start-run list only the raw transactions prefix and read and write only the ledger', () => {
      const list = policyStatements(template).find((s) => s.Sid === 'ListRawHours');
      expect(list).toMatchObject({
        Action: 's3:ListBucket',
        Condition: { StringLike: { 's3:prefix': ['transactions/*'] } },
      });
      const claim = policyStatements(template).find((s) => s.Sid === 'ClaimRuns');
      expect(asList(claim?.Action ?? [])).toEqual([
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
      ]);
      // Only the single-flight lease may be deleted, never an hour's record.
      const release = policyStatements(template).find((s) => s.Sid === 'ReleaseStartRunLease');
      expect(release).toMatchObject({
        Action: 'dynamodb:DeleteItem',
        Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [START_RUN_LEASE_KEY] } },
      });
      expect(JSON.stringify(release?.Resource)).toEqual(JSON.stringify(claim?.Resource));
      const deletes = policyStatements(template).filter((s) =>
        asList(s.Action ?? []).some((action) => /^dynamodb:(DeleteItem|\*)$/.test(action)),
      );
      expect(deletes).toEqual([release]);
    });

    it("lets start-run read the S3 sink's watermarks and nothing else of the raw objects", () => {
      const read = policyStatements(template).find((s) => s.Sid === 'ReadSinkWatermarks');
      expect(read?.Action).toBe('s3:GetObject');
      expect(JSON.stringify(read?.Resource)).toMatch(/RawBucket.*\/transactions\/_sink_watermarks\/\*"/);
    });

    it("lets start-run describe only this state machine's executions (how a run ended)", () => {
      const outcomes = policyStatements(template).find((s) => s.Sid === 'ReadRunOutcomes');
      expect(outcomes?.Action).toBe('states:DescribeExecution');
      const resource = JSON.stringify(outcomes?.Resource);
      expect(resource).toContain(':execution:');
      expect(resource).toMatch(/RunStateMachine/);
      expect(resource).toMatch(/":\*"\]\]\}$/);
    });

    it("lets reconcile-run read only the raw transactions prefix (it counts the hour's lines)", () => {
      const read = policyStatements(template).find((s) => s.Sid === 'CountRawLines');
      expect(read?.Action).toBe('s3:GetObject');
      expect(JSON.stringify(read?.Resource)).toMatch(/RawBucket.*\/transactions\/\*/);
      const list = policyStatements(template).find((s) => s.Sid === 'ListRawHourObjects');
      expect(list).toMatchObject({
        Action: 's3:ListBucket',
        Condition: { StringLike: { 's3:prefix': ['transactions/*'] } },
      });
    });
  });

  describe('functions', () => {
    it('give start-run its retry budget and reconcile-run the raw bucket whose lines it counts', () => {
      template.hasResourceProperties('AWS::Lambda::Function', {
        Environment: {
          // orchestration.maxRunAttempts (3 in both stages); the lease lasts the timeout plus a margin.
          Variables: Match.objectLike({ RUNS_TABLE: Match.anyValue(), MAX_RUN_ATTEMPTS: '3' }),
        },
        Timeout: START_RUN_TIMEOUT_SECONDS,
      });
      template.hasResourceProperties('AWS::Lambda::Function', {
        Environment: {
          Variables: Match.objectLike({ PROCESSED_BUCKET: Match.anyValue(), RAW_BUCKET: Match.anyValue() }),
        },
        Timeout: 600,
      });
      expect(asl.States[RUN_STATES.reconcile].Parameters).toMatchObject({
        Payload: {
          'runId.$': '$.runId',
          'rawPrefix.$': '$.rawPrefix',
          'startedAt.$': '$$.Execution.StartTime',
        },
      });
    });

    it('run on the pinned Node.js runtime, arm64, traced, in the VPC, with an encrypted environment', () => {
      // The run's functions; the report views' deploy-time custom resource has its own test below.
      const functions = Object.values(template.findResources('AWS::Lambda::Function')).filter(
        (fn) => fn.Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME !== undefined,
      );
      expect(functions).toHaveLength(4);
      for (const fn of functions) {
        expect(fn.Properties.Runtime).toBe(PIPELINE_LAMBDA_RUNTIME.name);
        expect(fn.Properties.Runtime).toMatch(/^nodejs(2[2-9]|[3-9]\d)\.x$/);
        expect(fn.Properties.Architectures).toEqual(['arm64']);
        expect(fn.Properties.TracingConfig).toEqual({ Mode: 'Active' });
        expect(fn.Properties.KmsKeyArn).toBeDefined();
        expect(fn.Properties.VpcConfig.SubnetIds.length).toBeGreaterThan(0);
      }
    });

    it('serialises start-run (reserved concurrency 1 where the stage reserves it) and gives it an encrypted DLQ for async failures', () => {
      template.hasResourceProperties('AWS::Lambda::Function', {
        Environment: { Variables: Match.objectLike({ RUNS_TABLE: Match.anyValue() }) },
        // orchestration.reservedConcurrency: off in dev (a new account's quota), on in prod.
        ReservedConcurrentExecutions: stage === 'prod' ? 1 : Match.absent(),
        DeadLetterConfig: { TargetArn: Match.anyValue() },
      });
      template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: 2 });
      const queues = Object.values(template.findResources('AWS::SQS::Queue'));
      expect(queues).toHaveLength(1);
      expect(queues[0].Properties.KmsMasterKeyId).toBeDefined();
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    });

    it('is triggered by the schedule and by the end of each run, with retries and the DLQ', () => {
      template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(1 hour)' });
      template.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: {
          source: ['aws.states'],
          'detail-type': ['Step Functions Execution Status Change'],
          detail: Match.objectLike({ status: ['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'] }),
        },
      });
      for (const rule of Object.values(template.findResources('AWS::Events::Rule'))) {
        expect(rule.Properties.Targets[0]).toMatchObject({
          DeadLetterConfig: { Arn: expect.anything() },
          RetryPolicy: { MaximumRetryAttempts: 4, MaximumEventAgeInSeconds: 7200 },
        });
      }
    });
  });

  describe('warehouse identity of refresh-reports', () => {
    const refreshFunction = () => {
      const [entry] = Object.entries(template.findResources('AWS::Lambda::Function')).filter(
        ([, fn]) => fn.Properties.Environment?.Variables?.REPORT_VIEWS !== undefined,
      );
      expect(entry).toBeDefined();
      return { logicalId: entry[0], resource: entry[1] };
    };

    it('gives no function a secret: no secret ARN in any environment, no Secrets Manager action', () => {
      for (const fn of Object.values(template.findResources('AWS::Lambda::Function'))) {
        const variables = (fn.Properties.Environment?.Variables ?? {}) as Record<string, unknown>;
        expect(Object.keys(variables).filter((name) => /SECRET/.test(name))).toEqual([]);
        expect(JSON.stringify(variables)).not.toContain('secretsmanager');
      }
      const secretActions = policyStatements(template)
        .flatMap((s) => asList(s.Action))
        .filter((a) => a.startsWith('secretsmanager:'));
      expect(secretActions).toEqual([]);
    });

    it('signs the refresh in to the workgroup as its own role, which the RedshiftDbRoles tag makes the reports identity', () => {
      const { resource: fn } = refreshFunction();
      const variables = fn.Properties.Environment.Variables as Record<string, unknown>;
      expect(variables).toMatchObject({ WAREHOUSE_KIND: 'serverless', WAREHOUSE_DATABASE: 'bank' });
      expect(variables.WAREHOUSE_WORKGROUP).toBeDefined();
      expect(variables.WAREHOUSE_DB_USER).toBeUndefined();
      const roleId = (fn.Properties.Role as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0];
      const role = template.findResources('AWS::IAM::Role')[roleId];
      expect(role.Properties.Tags).toEqual(
        expect.arrayContaining([{ Key: 'RedshiftDbRoles', Value: 'bank_reports_role' }]),
      );
      const credentials = policyStatements(template).filter((s) =>
        asList(s.Action).includes('redshift-serverless:GetCredentials'),
      );
      expect(credentials).toHaveLength(1);
      expect(JSON.stringify(credentials[0].Resource)).toMatch(/Workgroup/);
      expect(JSON.stringify(credentials[0].Resource)).not.toContain('*');
      const clusterLogins = policyStatements(template).filter((s) =>
        asList(s.Action).some((a) => a.startsWith('redshift:')),
      );
      expect(clusterLogins).toEqual([]);
    });

    it('creates the report views at deploy time as the same role that refreshes them (only the owner may refresh)', () => {
      const { resource: reports } = resourceOfType(template, 'Custom::WarehouseReports');
      const reportFiles = splitSchemaAndReportFiles(
        readWarehouseSqlFiles(path.join(REPO_ROOT, 'sql', 'redshift')),
      ).reports;
      expect(reportFiles.length).toBeGreaterThan(0);
      expect(reports.Properties.SqlFiles).toEqual(
        reportFiles.map((f) => ({ Name: f.name, Statements: f.statements })),
      );
      expect(Object.keys(reports.Properties.Target as object).sort()).toEqual(['Database', 'WorkgroupName']);
      const { resource: refresh } = refreshFunction();
      const handlers = Object.values(template.findResources('AWS::Lambda::Function')).filter(
        (fn) => JSON.stringify(fn.Properties.Role) === JSON.stringify(refresh.Properties.Role),
      );
      // refresh-reports itself and the report views' custom resource handler: one role, one database user.
      expect(handlers).toHaveLength(2);
    });
  });

  describe('runs ledger', () => {
    it('is KMS-encrypted with the pipeline key, with PITR, TTL and deletion protection', () => {
      template.hasResourceProperties('AWS::DynamoDB::Table', {
        KeySchema: [{ AttributeName: 'runId', KeyType: 'HASH' }],
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: Match.anyValue() },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        DeletionProtectionEnabled: true,
      });
      template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain' });
    });
  });
});

function resourceOfType(
  template: Template,
  type: string,
): { logicalId: string; resource: { Properties: Record<string, unknown> } } {
  const entries = Object.entries(template.findResources(type));
  expect(entries, type).toHaveLength(1);
  return { logicalId: entries[0][0], resource: entries[0][1] as { Properties: Record<string, unknown> } };
}

describe('OrchestrationStack on a provisioned warehouse (stand-ins)', () => {
  let template: Template;
  beforeAll(() => {
    const standIns = createStandIns('dev');
    const { stack } = orchestrationOnStandIns(standIns, {
      kind: 'provisioned',
      databaseName: 'bank',
      endpointAddress: 'stand-in.example.internal',
      port: 5439,
      clusterIdentifier: 'stand-in-cluster',
      dataApiResourceArn: 'arn:aws:redshift:eu-central-1:111111111111:cluster:stand-in-cluster',
      jdbcUrl: 'jdbc:redshift://stand-in.example.internal:5439/bank',
    });
    applyNagPacks(standIns.app);
    standIns.app.synth();
    template = Template.fromStack(stack);
  });

  it('signs the refresh in as the reports database user of this cluster with temporary credentials', () => {
    const fn = Object.values(template.findResources('AWS::Lambda::Function')).find(
      (f) => f.Properties.Environment?.Variables?.REPORT_VIEWS !== undefined,
    );
    expect(fn?.Properties.Environment.Variables).toMatchObject({
      WAREHOUSE_KIND: 'provisioned',
      WAREHOUSE_CLUSTER: 'stand-in-cluster',
      WAREHOUSE_DB_USER: 'bank_reports_job',
    });
    expect(resourceOfType(template, 'Custom::WarehouseReports').resource.Properties.Target).toEqual({
      Database: 'bank',
      ClusterIdentifier: 'stand-in-cluster',
      DbUser: 'bank_reports_job',
    });
  });

  it('names only its own database user, database and group in the credentials policy, and tags the group', () => {
    const statements = policyStatements(template);
    const credentials = statements.filter((s) => asList(s.Action).includes('redshift:GetClusterCredentials'));
    expect(credentials).toHaveLength(1);
    expect([...(credentials[0].Resource as string[])].sort()).toEqual([
      'arn:aws:redshift:eu-central-1:111111111111:dbname:stand-in-cluster/bank',
      'arn:aws:redshift:eu-central-1:111111111111:dbuser:stand-in-cluster/bank_reports_job',
    ]);
    const join = statements.filter((s) => asList(s.Action).includes('redshift:JoinGroup'));
    expect(join.map((s) => s.Resource)).toEqual([
      'arn:aws:redshift:eu-central-1:111111111111:dbgroup:stand-in-cluster/bank_reports',
    ]);
    const dbResources = JSON.stringify(
      statements.filter((s) => asList(s.Action).some((a) => a.startsWith('redshift:'))),
    );
    expect(dbResources).not.toContain('bank_admin');
    expect(dbResources).not.toContain('bank_loader');
    expect(statements.flatMap((s) => asList(s.Action))).not.toContain('redshift-serverless:GetCredentials');
    const taggedRoles = Object.values(template.findResources('AWS::IAM::Role')).filter((role) =>
      (role.Properties.Tags ?? []).some((t: { Key: string }) => t.Key === 'RedshiftDbGroups'),
    );
    expect(taggedRoles.map((r) => r.Properties.Tags)).toEqual([
      expect.arrayContaining([{ Key: 'RedshiftDbGroups', Value: 'bank_reports' }]),
    ]);
  });
});
