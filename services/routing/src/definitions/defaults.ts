import type { ProcessDefinitionBody } from './definition-schema';
import outgoing from './defaults/outgoing.json';
import incoming from './defaults/incoming.json';
import submission from './defaults/submission.json';
import { parseDefinition } from './parse-definition';

/**
 * The shipped defaults, one per kind (an agency uploads its own version to override). Parsed at load,
 * so a broken default stops the service at start-up rather than at the first process.
 */
export const defaultDefinitions: Partial<Record<ProcessDefinitionBody['kind'], ProcessDefinitionBody>> = {
  outgoing: parseDefinition(outgoing),
  incoming: parseDefinition(incoming),
  submission: parseDefinition(submission),
};
