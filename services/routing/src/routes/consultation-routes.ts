import { IdempotencyKeyHeaders, problemResponses, sendMutation } from '@vanthu/platform';
import type { ServiceApp } from '@vanthu/platform';
import { answerConsultation } from '../consultations/answer-consultation';
import { closeConsultationByOpener } from '../consultations/close-consultation';
import { consultationView } from '../consultations/consultation-view';
import { getConsultation } from '../consultations/get-consultation';
import { openConsultation } from '../consultations/open-consultation';
import { Consultation, ConsultationAnswerBody, ConsultationIdParams, NewConsultation } from '../schemas/consultation';
import { routingContextFor } from './context';
import type { RoutingRouteDeps } from './context';

export async function consultationRoutes(app: ServiceApp, deps: RoutingRouteDeps): Promise<void> {
  const now = () => deps.clock();

  app.post(
    '/v1/consultations',
    {
      schema: {
        operationId: 'openConsultation',
        tags: ['consultations'],
        summary: 'Open a consultation (lấy ý kiến) on a document: members, a deadline and a completion rule',
        headers: IdempotencyKeyHeaders,
        body: NewConsultation,
        response: { 201: Consultation, ...problemResponses(400, 401, 403, 404, 409, 422, 503) },
      },
    },
    async (request, reply) => {
      const outcome = await openConsultation(request.body, routingContextFor(request, deps, 'openConsultation'));
      return sendMutation(
        reply,
        { result: consultationView(outcome.result, now()), replayed: outcome.replayed },
        { status: 201, location: `/v1/consultations/${outcome.result.id}` },
      );
    },
  );

  app.get(
    '/v1/consultations/:id',
    {
      schema: {
        operationId: 'getConsultation',
        tags: ['consultations'],
        summary: 'A consultation with every answer, the tally and the members who have not answered',
        params: ConsultationIdParams,
        response: { 200: Consultation, ...problemResponses(400, 401, 404) },
      },
    },
    async (request) =>
      consultationView(
        await getConsultation(
          { consultationId: request.params.id },
          routingContextFor(request, deps, 'getConsultation'),
        ),
        now(),
      ),
  );

  app.post(
    '/v1/consultations/:id/answers',
    {
      schema: {
        operationId: 'answerConsultation',
        tags: ['consultations'],
        summary: 'A member answers: agree (nhất trí), disagree or comments, once',
        params: ConsultationIdParams,
        headers: IdempotencyKeyHeaders,
        body: ConsultationAnswerBody,
        response: { 200: Consultation, ...problemResponses(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request, reply) => {
      const outcome = await answerConsultation(
        {
          consultationId: request.params.id,
          answer: request.body.answer,
          ...(request.body.comment ? { comment: request.body.comment } : {}),
        },
        routingContextFor(request, deps, 'answerConsultation'),
      );
      return sendMutation(reply, { result: consultationView(outcome.result, now()), replayed: outcome.replayed });
    },
  );

  app.post(
    '/v1/consultations/:id/closure',
    {
      schema: {
        operationId: 'closeConsultation',
        tags: ['consultations'],
        summary: 'The person who opened it closes the consultation; members who did not answer are listed',
        params: ConsultationIdParams,
        headers: IdempotencyKeyHeaders,
        response: { 200: Consultation, ...problemResponses(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request, reply) => {
      const outcome = await closeConsultationByOpener(
        { consultationId: request.params.id },
        routingContextFor(request, deps, 'closeConsultation'),
      );
      return sendMutation(reply, { result: consultationView(outcome.result, now()), replayed: outcome.replayed });
    },
  );
}
