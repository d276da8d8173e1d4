import { IdempotencyKeyHeaders, problemResponses, sendMutation } from '@vanthu/platform';
import type { ServiceApp } from '@vanthu/platform';
import { answerConsultation } from '../consultations/answer-consultation';
import { closeConsultationByOpener } from '../consultations/close-consultation';
import { consultationView } from '../consultations/consultation-view';
import { getConsultation } from '../consultations/get-consultation';
import { openConsultation } from '../consultations/open-consultation';
import { answerSheetView } from '../consultations/answer-sheet-view';
import { requestAnswerSheet } from '../consultations/request-answer-sheet';
import {
  AnswerSheet,
  Consultation,
  ConsultationAnswerBody,
  ConsultationIdParams,
  NewConsultation,
} from '../schemas/consultation';
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
    '/v1/consultations/:id/answer-sheets',
    {
      schema: {
        operationId: 'requestAnswerSheet',
        tags: ['consultations'],
        summary: 'A member’s answer as an answer sheet (phiếu lấy ý kiến) to sign with their own certificate',
        description:
          'Routing stores the sheet in documents as the member’s document and answers with signingClaim; the member signs that version through POST /v1/signing-sessions (kind consultation-answer, answerSheetClaim: the signingClaim; granted to any member with an activated certificate, whatever their role) and completes it with their token. The answer counts when signing reports a consultation-answer signature (signature.applied): by that member, on that version. Nothing is stored when the request is refused; the same answer asked for again returns the same sheet; another answer before signing replaces the previous sheet.',
        params: ConsultationIdParams,
        headers: IdempotencyKeyHeaders,
        body: ConsultationAnswerBody,
        response: { 201: AnswerSheet, ...problemResponses(400, 401, 403, 404, 409, 422, 503) },
      },
    },
    async (request, reply) => {
      const outcome = await requestAnswerSheet(
        { consultationId: request.params.id, ...request.body },
        routingContextFor(request, deps, 'requestAnswerSheet'),
      );
      return sendMutation(
        reply,
        { result: answerSheetView(outcome.result), replayed: outcome.replayed },
        { status: 201 },
      );
    },
  );

  app.post(
    '/v1/consultations/:id/answers',
    {
      schema: {
        operationId: 'answerConsultation',
        tags: ['consultations'],
        summary: 'A member answers: agree (nhất trí), disagree or comments, once',
        description:
          'Refused (409) on a consultation that takes signed answers (POST …/answer-sheets). The answer that meets the completion rule closes it and stores the summary of answers in documents (503 while documents cannot be reached).',
        params: ConsultationIdParams,
        headers: IdempotencyKeyHeaders,
        body: ConsultationAnswerBody,
        response: { 200: Consultation, ...problemResponses(400, 401, 403, 404, 409, 422, 503) },
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
        description:
          'The summary of answers (tổng hợp ý kiến, a PDF listing the members who had not answered by the deadline) is stored in documents, sealed with the agency’s organisation signature by signing (its sealed file is the summary’s next version) and filed in the document’s dossier (503 while documents or signing cannot be reached, 422 when signing cannot seal it, e.g. the agency has no seal key: nothing closes).',
        params: ConsultationIdParams,
        headers: IdempotencyKeyHeaders,
        response: { 200: Consultation, ...problemResponses(400, 401, 403, 404, 409, 422, 503) },
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
