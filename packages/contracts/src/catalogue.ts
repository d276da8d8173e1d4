import type { TObject } from '@sinclair/typebox';
import { documentCreatedV1 } from './events/document-created';
import { documentVersionAddedV1 } from './events/document-version-added';
import type { TopicName } from './topics';

export type EventDefinition = {
  /** CloudEvents `type`, reverse-DNS with the major version. */
  type: string;
  topic: TopicName;
  /** What the message key (and CloudEvents `subject`) identifies. */
  aggregate: string;
  description: string;
  schema: TObject;
};

/** Every event vanthu publishes. Adding one here puts it into the AsyncAPI document. */
export const eventCatalogue: readonly EventDefinition[] = [documentCreatedV1, documentVersionAddedV1];

export function findEventDefinition(type: string): EventDefinition | undefined {
  return eventCatalogue.find((definition) => definition.type === type);
}
