import { documentCreatedV1, topicName } from '@vanthu/contracts';
import type { EventHandler } from '@vanthu/platform';
import { onDocumentCreated } from './document-created-handler';

export const reportingHandlers: Record<string, EventHandler> = {
  [documentCreatedV1.type]: onDocumentCreated,
};

export function reportingConsumer(
  group: string,
  topicPrefix: string,
): { consumer: string; topics: string[]; handlers: Record<string, EventHandler> } {
  return {
    consumer: `${topicPrefix}${group}`,
    topics: [topicName('vanthu.documents', topicPrefix)],
    handlers: reportingHandlers,
  };
}
