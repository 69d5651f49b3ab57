import { flattenString, isRecord } from './template-reader';

/** One EMR instance group a run's cluster asks for. */
export interface EmrInstanceGroup {
  readonly role: string;
  readonly instanceType: string;
  readonly count: number;
}

/** What one run of the state machine starts, read from its Amazon States Language definition. */
export interface RunDefinition {
  /** States in the definition (each runs about once per run). */
  readonly states: number;
  /** Instance groups of the EMR cluster the run creates. */
  readonly emrInstanceGroups: readonly EmrInstanceGroup[];
  /** Crawlers the run starts (`glue:startCrawler` tasks). */
  readonly crawlerStarts: number;
  /** Glue job runs the run starts (`glue:startJobRun` tasks). */
  readonly glueJobRuns: number;
  /** Lambda tasks of the run. */
  readonly lambdaTasks: number;
}

interface AslState {
  readonly Type?: string;
  readonly Resource?: string;
  readonly Parameters?: Record<string, unknown>;
  readonly Arguments?: Record<string, unknown>;
  readonly Branches?: readonly AslMachine[];
  readonly Iterator?: AslMachine;
  readonly ItemProcessor?: AslMachine;
}

interface AslMachine {
  readonly States?: Record<string, AslState>;
}

/**
 * Parses a state machine's `DefinitionString` (a string or an `Fn::Join` with
 * intrinsics inside JSON strings, as CDK writes it) and counts what a run starts.
 */
export function readRunDefinition(definitionString: unknown): RunDefinition {
  const text = flattenString(definitionString);
  let machine: AslMachine;
  try {
    machine = JSON.parse(text) as AslMachine;
  } catch (error) {
    throw new Error(
      `the state machine definition is not JSON once its intrinsics are stubbed: ${String(error)}`,
    );
  }
  const states = allStates(machine);
  const tasks = states.filter((state) => state.Type === 'Task');
  const resourceOf = (state: AslState): string => state.Resource ?? '';
  return {
    states: states.length,
    emrInstanceGroups: tasks
      .filter((state) => resourceOf(state).includes(':elasticmapreduce:createCluster'))
      .flatMap((state) => instanceGroupsOf(state.Parameters ?? state.Arguments ?? {})),
    crawlerStarts: tasks.filter((state) => /:glue:startCrawler$/.test(resourceOf(state))).length,
    glueJobRuns: tasks.filter((state) => resourceOf(state).includes(':glue:startJobRun')).length,
    lambdaTasks: tasks.filter(
      (state) => resourceOf(state).includes(':lambda:invoke') || resourceOf(state).includes(':function:'),
    ).length,
  };
}

function allStates(machine: AslMachine): AslState[] {
  return Object.values(machine.States ?? {}).flatMap((state) => [
    state,
    ...(state.Branches ?? []).flatMap(allStates),
    ...(state.Iterator ? allStates(state.Iterator) : []),
    ...(state.ItemProcessor ? allStates(state.ItemProcessor) : []),
  ]);
}

function instanceGroupsOf(parameters: Record<string, unknown>): EmrInstanceGroup[] {
  const instances = parameters.Instances;
  if (!isRecord(instances) || !Array.isArray(instances.InstanceGroups)) {
    throw new Error(
      'the EMR createCluster task has no Instances.InstanceGroups; the estimate reads instance groups only (not fleets)',
    );
  }
  return (instances.InstanceGroups as unknown[]).filter(isRecord).map((group) => ({
    role: String(group.InstanceRole),
    instanceType: String(group.InstanceType),
    count: Number(group.InstanceCount),
  }));
}
