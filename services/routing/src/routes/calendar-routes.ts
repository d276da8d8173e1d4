import { contextFor, problemResponses, sendMutation } from '@vanthu/platform';
import type { Clock, Pool, ServiceApp } from '@vanthu/platform';
import { amendCalendarYear } from '../calendar/amend-calendar-year';
import { getCalendarYear } from '../calendar/get-calendar-year';
import { CalendarYear, CalendarYearParams, CalendarYearUpdate } from '../schemas/calendar';

export type CalendarRoutesDeps = { pool: Pool; clock?: Clock };

export async function calendarRoutes(app: ServiceApp, deps: CalendarRoutesDeps): Promise<void> {
  app.get(
    '/v1/calendars/:year',
    {
      schema: {
        operationId: 'getCalendarYear',
        tags: ['calendars'],
        summary: 'The agency’s working calendar for a year: holidays, make-up working days and office hours',
        params: CalendarYearParams,
        response: { 200: CalendarYear, ...problemResponses(400, 401) },
      },
    },
    async (request) =>
      getCalendarYear({ year: request.params.year }, contextFor(request, deps.pool, 'getCalendarYear', deps.clock)),
  );

  app.put(
    '/v1/calendars/:year',
    {
      schema: {
        operationId: 'amendCalendarYear',
        tags: ['calendars'],
        summary: 'Replace the agency’s calendar for a year (administrators): the year’s official notice, local days',
        params: CalendarYearParams,
        body: CalendarYearUpdate,
        response: { 200: CalendarYear, ...problemResponses(400, 401, 403) },
      },
    },
    async (request, reply) =>
      sendMutation(
        reply,
        await amendCalendarYear(
          { year: request.params.year, calendar: request.body },
          contextFor(request, deps.pool, 'amendCalendarYear', deps.clock),
        ),
      ),
  );
}
