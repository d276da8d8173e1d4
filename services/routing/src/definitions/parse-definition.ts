import { TypeCompiler } from '@sinclair/typebox/compiler';
import { AppError } from '@vanthu/platform';
import { ProcessDefinitionBody } from './definition-schema';
import type { DefinitionElement, UserTaskElement } from './definition-schema';

const checker = TypeCompiler.Compile(ProcessDefinitionBody);

type FieldError = { field: string; message: string };

/**
 * Parses a definition and checks it can run: one start event, at least one end event, flows that
 * join existing elements, and every step reachable from the start and able to reach an end. Each
 * problem names the step, so an administrator can fix the JSON they uploaded.
 */
export function parseDefinition(raw: unknown): ProcessDefinitionBody {
  if (!checker.Check(raw)) {
    const errors = [...checker.Errors(raw)].slice(0, 10).map((e) => ({
      field: `body${e.path.replace(/\//g, '.')}`,
      message: e.message,
    }));
    throw new AppError('VALIDATION_FAILED', `definition does not parse: ${errors.map((e) => e.field).join(', ')}`, {
      errors,
    });
  }
  const definition = raw;
  const errors: FieldError[] = [];
  const byId = new Map<string, DefinitionElement>();
  definition.elements.forEach((element, index) => {
    if (byId.has(element.id))
      errors.push({ field: `body.elements.${index}.id`, message: `step ${element.id} is defined twice` });
    byId.set(element.id, element);
  });
  const starts = definition.elements.filter((e) => e.type === 'startEvent');
  if (starts.length !== 1) errors.push({ field: 'body.elements', message: 'exactly one startEvent is required' });
  if (!definition.elements.some((e) => e.type === 'endEvent'))
    errors.push({ field: 'body.elements', message: 'at least one endEvent is required' });
  definition.flows.forEach((flow, index) => {
    for (const end of ['from', 'to'] as const) {
      if (!byId.has(flow[end]))
        errors.push({ field: `body.flows.${index}.${end}`, message: `flow refers to unknown step ${flow[end]}` });
    }
  });
  for (const element of definition.elements) {
    if (element.type !== 'userTask') continue;
    for (const required of element.requiresSignaturesOf ?? []) {
      const target = byId.get(required);
      if (!target || target.type !== 'userTask' || !target.signature)
        errors.push({
          field: `body.elements.${element.id}.requiresSignaturesOf`,
          message: `step ${element.id} requires signatures of ${required}, which is not a signature step`,
        });
    }
    if (element.signature?.authorityPrefix && element.signature.kind !== 'approval')
      // NĐ 30/2020 Điều 13: the prefix stands before the title of the one who signs the document, not an initial
      errors.push({
        field: `body.elements.${element.id}.signature.authorityPrefix`,
        message: `step ${element.id} is a ${element.signature.kind} signature, which carries no authority prefix`,
      });
    if (element.ownerReview && element.signature)
      // a signature placed by the delegate cannot be taken back by the owner's review
      errors.push({
        field: `body.elements.${element.id}.ownerReview`,
        message: `step ${element.id} completes by a signature, which an owner's review cannot take back`,
      });
    if (element.signature && !element.actions.includes('complete')) {
      // completion comes from the signature event, but the step must still list it as its way out
      errors.push({ field: `body.elements.${element.id}.actions`, message: `step ${element.id} must allow complete` });
    }
  }
  if (errors.length > 0) throw invalid(errors);

  const start = starts[0] as DefinitionElement;
  const forward = adjacency(definition, 'from');
  const backward = adjacency(definition, 'to');
  const reachable = walk(start.id, forward);
  const ends = definition.elements.filter((e) => e.type === 'endEvent').map((e) => e.id);
  const canEnd = new Set<string>();
  for (const end of ends) for (const id of walk(end, backward)) canEnd.add(id);
  for (const element of definition.elements) {
    if (!reachable.has(element.id))
      errors.push({
        field: `body.elements.${element.id}`,
        message: `step ${element.id} is unreachable from the start`,
      });
    else if (!canEnd.has(element.id))
      errors.push({ field: `body.elements.${element.id}`, message: `step ${element.id} never reaches an end event` });
    if (element.type !== 'endEvent' && (forward.get(element.id) ?? []).length === 0)
      errors.push({ field: `body.elements.${element.id}`, message: `step ${element.id} has no outgoing flow` });
  }
  if (errors.length > 0) throw invalid(errors);
  return definition;
}

function invalid(errors: FieldError[]): AppError {
  return new AppError('VALIDATION_FAILED', errors.map((e) => e.message).join('; '), { errors });
}

function adjacency(definition: ProcessDefinitionBody, key: 'from' | 'to'): Map<string, string[]> {
  const other = key === 'from' ? 'to' : 'from';
  const map = new Map<string, string[]>();
  for (const flow of definition.flows) map.set(flow[key], [...(map.get(flow[key]) ?? []), flow[other]]);
  return map;
}

function walk(from: string, edges: Map<string, string[]>): Set<string> {
  const seen = new Set<string>([from]);
  const queue = [from];
  while (queue.length > 0) {
    const next = queue.shift() as string;
    for (const to of edges.get(next) ?? [])
      if (!seen.has(to)) {
        seen.add(to);
        queue.push(to);
      }
  }
  return seen;
}

/** True when `earlier` comes before `step` on some path of the flow (a return may go there). */
export function isEarlierStep(definition: ProcessDefinitionBody, earlier: string, step: string): boolean {
  if (earlier === step) return false;
  return walk(earlier, adjacency(definition, 'from')).has(step);
}

export function userTask(definition: ProcessDefinitionBody, step: string): UserTaskElement {
  const element = definition.elements.find((e) => e.id === step);
  if (!element || element.type !== 'userTask') throw new Error(`definition has no user task ${step}`);
  return element;
}
