import type { OperationRoles } from '@vanthu/platform';

// Who may call each operation of notifications (published as `x-vanthu-roles`, enforced by the platform's route guard:
// packages/platform/src/operation-roles.ts). `every-member`: open to every member of the caller's agency, where the
// use case may still refuse by relation or variant, as the operation's description says.
export const operationRoles: OperationRoles = {
  createWebhookEndpoint: ['admin'],
  listWebhookEndpoints: ['admin'],
  getWebhookEndpoint: ['admin'],
  deleteWebhookEndpoint: ['admin'],
  rotateWebhookSecret: ['admin'],
  enableWebhookEndpoint: ['admin'],
  listWebhookDeliveries: ['admin'],
  replayWebhookDelivery: ['admin'],
};
