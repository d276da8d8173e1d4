// One topic per owning service; the message key is the aggregate id so one document's
// events stay in order on one partition (ARCHITECTURE.md "Events").
export const topics = {
  documents: 'vanthu.documents',
  signing: 'vanthu.signing',
  routing: 'vanthu.routing',
  exchange: 'vanthu.exchange',
  notifications: 'vanthu.notifications',
  reporting: 'vanthu.reporting',
} as const;

export type TopicName = (typeof topics)[keyof typeof topics];

export const topicPartitions: Record<TopicName, number> = {
  'vanthu.documents': 3,
  'vanthu.signing': 3,
  'vanthu.routing': 3,
  'vanthu.exchange': 3,
  'vanthu.notifications': 1,
  'vanthu.reporting': 1,
};

/** Tests and side-by-side sandboxes prefix topic names to stay out of each other's way. */
export const topicName = (topic: TopicName, prefix = ''): string => `${prefix}${topic}`;
