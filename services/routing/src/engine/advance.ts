import type { ProcessDefinitionBody, SequenceFlow } from '../definitions/definition-schema';

/** Tokens waiting at parallel joins: gateway id → the steps that already arrived. */
export type Joins = Record<string, string[]>;

export type Advance = {
  /** User tasks to open. */
  activate: string[];
  /** How many tokens reached an end event. */
  ended: number;
  joins: Joins;
};

/**
 * Moves a token out of `from` along the definition (pure: no I/O). Exclusive gateways take the first
 * flow whose condition holds on the process variables (a flow without a condition is the default);
 * parallel gateways fork to every outgoing flow and join when every incoming flow has arrived.
 */
export function advance(
  definition: ProcessDefinitionBody,
  from: string,
  variables: Record<string, unknown>,
  joins: Joins,
): Advance {
  const result: Advance = { activate: [], ended: 0, joins: structuredClone(joins) };
  const outgoing = (id: string): SequenceFlow[] => definition.flows.filter((flow) => flow.from === id);
  const incomingCount = (id: string): number => definition.flows.filter((flow) => flow.to === id).length;
  const element = (id: string) => {
    const found = definition.elements.find((e) => e.id === id);
    if (!found) throw new Error(`definition has no step ${id}`);
    return found;
  };

  const enter = (target: string, via: string, depth: number): void => {
    if (depth > definition.elements.length * 2) throw new Error(`flow loops through gateways at ${target}`);
    const next = element(target);
    switch (next.type) {
      case 'userTask':
        result.activate.push(next.id);
        return;
      case 'endEvent':
        result.ended += 1;
        return;
      case 'startEvent':
        throw new Error(`a flow enters the start event ${next.id}`);
      case 'exclusiveGateway': {
        const flows = outgoing(next.id);
        const chosen =
          flows.find((flow) => flow.condition && variables[flow.condition.variable] === flow.condition.equals) ??
          flows.find((flow) => !flow.condition);
        if (!chosen) throw new Error(`no flow of gateway ${next.id} matches the process variables`);
        enter(chosen.to, next.id, depth + 1);
        return;
      }
      case 'parallelGateway': {
        const expected = incomingCount(next.id);
        if (expected > 1) {
          const arrived = [...(result.joins[next.id] ?? []), via];
          if (arrived.length < expected) {
            result.joins[next.id] = arrived;
            return;
          }
          delete result.joins[next.id];
        }
        for (const flow of outgoing(next.id)) enter(flow.to, next.id, depth + 1);
        return;
      }
    }
  };

  for (const flow of outgoing(from)) {
    if (flow.condition && variables[flow.condition.variable] !== flow.condition.equals) continue;
    enter(flow.to, from, 0);
  }
  return result;
}

/** The user tasks a new process opens. */
export function startTokens(definition: ProcessDefinitionBody, variables: Record<string, unknown>): Advance {
  const start = definition.elements.find((e) => e.type === 'startEvent');
  if (!start) throw new Error('definition has no start event');
  return advance(definition, start.id, variables, {});
}

/** Whether a multi-instance step has met its completion rule. */
export function multiInstanceDone(
  completion: 'all' | 'any' | { quorum: number },
  total: number,
  completed: number,
): boolean {
  if (total === 0) return true;
  if (completion === 'all') return completed >= total;
  if (completion === 'any') return completed >= 1;
  return completed >= Math.min(completion.quorum, total);
}
