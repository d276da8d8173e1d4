import type { Tx } from '@vanthu/platform';

// Exchanges through a hub from the exchange service's events. sent/received own the document, hub and
// time; status messages own the latest status (the latest by time wins, whichever order they are read).

export async function recordExchange(
  tx: Tx,
  fact: {
    exchangeId: string;
    agencyCode: string;
    documentId: string;
    direction: 'sent' | 'received';
    hub: string | null;
    edxmlDocumentId: string;
    at: string;
    counterparts: string[];
  },
): Promise<void> {
  await tx.query(
    `INSERT INTO exchange_facts (exchange_id, agency_code, document_id, direction, hub, edxml_document_id, at,
                                 counterparts)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (exchange_id) DO UPDATE SET
       document_id = COALESCE(exchange_facts.document_id, EXCLUDED.document_id),
       direction = EXCLUDED.direction,
       hub = COALESCE(exchange_facts.hub, EXCLUDED.hub),
       edxml_document_id = COALESCE(exchange_facts.edxml_document_id, EXCLUDED.edxml_document_id),
       at = COALESCE(exchange_facts.at, EXCLUDED.at),
       counterparts = EXCLUDED.counterparts`,
    [
      fact.exchangeId,
      fact.agencyCode,
      fact.documentId,
      fact.direction,
      fact.hub,
      fact.edxmlDocumentId,
      fact.at,
      fact.counterparts,
    ],
  );
}

export async function recordExchangeStatus(
  tx: Tx,
  fact: {
    exchangeId: string;
    agencyCode: string;
    direction: 'sent' | 'received';
    edxmlDocumentId: string;
    statusCode: string;
    at: string;
  },
): Promise<void> {
  await tx.query(
    `INSERT INTO exchange_facts (exchange_id, agency_code, direction, edxml_document_id, last_status_code,
                                 last_status_at)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (exchange_id) DO UPDATE SET
       edxml_document_id = COALESCE(exchange_facts.edxml_document_id, EXCLUDED.edxml_document_id),
       last_status_code = CASE WHEN exchange_facts.last_status_at IS NULL
                                 OR EXCLUDED.last_status_at >= exchange_facts.last_status_at
                               THEN EXCLUDED.last_status_code ELSE exchange_facts.last_status_code END,
       last_status_at = GREATEST(exchange_facts.last_status_at, EXCLUDED.last_status_at)`,
    [fact.exchangeId, fact.agencyCode, fact.direction, fact.edxmlDocumentId, fact.statusCode, fact.at],
  );
}
