import type { MonthlyAgencyCounts } from '../repositories/compliance-repository';

// What each figure counts. The official template of the monthly report is not public, so the
// definitions are versioned configuration: every report names the version that produced it, and
// a change of rule is a new version, never a silent change of an old month's numbers.

export type FigureName =
  | 'fullyElectronic'
  | 'signed'
  | 'personallySigned'
  | 'organisationSigned'
  | 'bothSignatures'
  | 'initialled'
  | 'validated'
  | 'digitisedOnly'
  | 'exchangedThroughHub'
  | 'incomingOnTime'
  | 'cooperationOnTime'
  | 'consultationsOnTime';

export type FigureDefinition = {
  label: string;
  definition: string;
  numerator: (c: MonthlyAgencyCounts) => number;
  denominator: (c: MonthlyAgencyCounts) => number;
};

/** The figures a threshold may name: the published enum (schemas/compliance-report.ts) gains a value only with one. */
export type ThresholdFigureName = Exclude<FigureName, 'cooperationOnTime'>;
export type Threshold = { figure: ThresholdFigureName; minimum: number; from: string; source: string };

export type ComplianceDefinitions = {
  version: string;
  figures: Record<FigureName, FigureDefinition>;
  thresholds: Threshold[];
};

export const complianceDefinitionsV1: ComplianceDefinitions = {
  // 2026.2: incoming on time counts the lead's (chủ trì) handling tasks due in the month from routing's events
  // (2026.1 counted completed incoming processes, which carry no deadline).
  // 2026.3: consultations on time counts every member asked, a member who did not answer by the deadline as late
  // (from routing's consultation events; before, no event carried consultations and the figure was 0/0).
  // 2026.4: cooperation on time counts the cooperating units' (phối hợp) handling of incoming documents due in the
  // month like the lead's (before, their deadlines and overdue reports were stored and counted in no figure).
  version: '2026.4',
  figures: {
    // "Tỷ lệ văn bản, hồ sơ công việc được xử lý hoàn toàn trên môi trường điện tử và ký số": an
    // outgoing document counts when issued electronically with both signatures (NĐ 30/2020 Điều 5:
    // only then has it the legal value of an original), an incoming one when received electronic
    // (not a scan) and its signatures were validated on receipt (NĐ 30/2020 Điều 21.2).
    fullyElectronic: {
      label: 'Tỷ lệ văn bản xử lý hoàn toàn trên môi trường điện tử và ký số',
      definition:
        'issued outgoing documents, electronic, carrying the personal and the organisation signature, plus incoming documents received electronic whose signatures validated, over issued outgoing plus incoming documents',
      numerator: (c) => c.issuedElectronic + c.incomingElectronic,
      denominator: (c) => c.issued + c.incoming,
    },
    signed: {
      label: 'Tỷ lệ văn bản đi ký số',
      definition: 'issued outgoing documents carrying at least one digital signature at issue, over issued outgoing',
      numerator: (c) => c.issuedSigned,
      denominator: (c) => c.issued,
    },
    // The "ký số cá nhân / lãnh đạo" ratio: the person with authority signs the approval
    // (NĐ 30/2020 Phụ lục I mục II.7.d).
    personallySigned: {
      label: 'Tỷ lệ văn bản đi có chữ ký số của lãnh đạo (người có thẩm quyền)',
      definition: 'issued outgoing documents carrying a personal approval signature at issue, over issued outgoing',
      numerator: (c) => c.issuedPersonal,
      denominator: (c) => c.issued,
    },
    // "Ký số cơ quan": the organisation seal (NĐ 30/2020 Phụ lục I mục II.8.a; Điều 32.2.d).
    organisationSigned: {
      label: 'Tỷ lệ văn bản đi có chữ ký số của cơ quan, tổ chức',
      definition: 'issued outgoing documents carrying the organisation signature at issue, over issued outgoing',
      numerator: (c) => c.issuedOrganisation,
      denominator: (c) => c.issued,
    },
    // NĐ 30/2020 Điều 5: signed by the person with authority AND by the organisation.
    bothSignatures: {
      label: 'Tỷ lệ văn bản đi có đủ chữ ký số người có thẩm quyền và của cơ quan',
      definition: 'issued outgoing documents carrying both the personal approval and the organisation signature',
      numerator: (c) => c.issuedBoth,
      denominator: (c) => c.issued,
    },
    initialled: {
      label: 'Tỷ lệ văn bản đi có ký nháy điện tử',
      definition: 'issued outgoing documents carrying an initial (ký nháy) signature at issue, over issued outgoing',
      numerator: (c) => c.issuedInitialled,
      denominator: (c) => c.issued,
    },
    validated: {
      label: 'Tỷ lệ văn bản đi có chữ ký hợp lệ khi kiểm tra',
      definition: 'issued outgoing documents whose issued version validated TOTAL_PASSED, over issued outgoing',
      numerator: (c) => c.issuedValidated,
      denominator: (c) => c.issued,
    },
    // A paper original scanned and sealed (NĐ 30/2020 Điều 25.1.c) instead of an electronic original.
    digitisedOnly: {
      label: 'Tỷ lệ văn bản chỉ số hóa từ văn bản giấy',
      definition:
        'digitised copies of paper originals made in the month, over issued outgoing documents plus those copies',
      numerator: (c) => c.digitised,
      denominator: (c) => c.issued + c.digitised,
    },
    // QĐ 28/2018/QĐ-TTg: documents between state agencies travel through the national hub.
    exchangedThroughHub: {
      label: 'Tỷ lệ văn bản đi gửi qua Trục liên thông',
      definition: 'issued outgoing documents with an exchange sent through a hub, over issued outgoing',
      numerator: (c) => c.issuedViaHub,
      denominator: (c) => c.issued,
    },
    // NĐ 30/2020 Điều 24: incoming documents are handled by the deadline the leader set when assigning them.
    incomingOnTime: {
      label: 'Tỷ lệ văn bản đến giải quyết đúng hạn',
      definition:
        'lead (chủ trì) handling tasks of incoming documents due in the month and done by their deadline, over those due in the month that are done or past their deadline',
      numerator: (c) => c.incomingHandledOnTime,
      denominator: (c) => c.incomingHandlingDue,
    },
    // NĐ 30/2020 Điều 23: with several units, one leads and the others cooperate, each with its deadline.
    cooperationOnTime: {
      label: 'Tỷ lệ phối hợp giải quyết văn bản đến đúng hạn',
      definition:
        'cooperating (phối hợp) handling tasks of incoming documents due in the month and done by their deadline, over those due in the month that are done or past their deadline',
      numerator: (c) => c.cooperatedOnTime,
      denominator: (c) => c.cooperationDue,
    },
    consultationsOnTime: {
      label: 'Tỷ lệ ý kiến góp ý đúng hạn',
      definition:
        'members asked in consultations opened in the month who answered by the deadline, over those who answered or whose deadline has passed',
      numerator: (c) => c.consultationAnswersOnTime,
      denominator: (c) => c.consultationAnswers,
    },
  },
  thresholds: [
    // Kế hoạch phát triển CNTT (e.g. 29/KH-UBND 2020): at least 30% of electronic documents signed personally.
    { figure: 'personallySigned', minimum: 0.3, from: '2020-01-01', source: 'tối thiểu 30% văn bản ký số cá nhân' },
    // Kế hoạch 48-KH/TU (16/01/2026): 100% processed electronically and digitally signed from 16/4/2026.
    {
      figure: 'fullyElectronic',
      minimum: 1,
      from: '2026-04-16',
      source: '100% văn bản xử lý trên môi trường điện tử và ký số từ 16/4/2026',
    },
    { figure: 'bothSignatures', minimum: 1, from: '2026-04-16', source: 'ký số người có thẩm quyền và của cơ quan' },
  ],
};

export type Figure = {
  label: string;
  numerator: number;
  denominator: number;
  /** numerator / denominator, null when nothing was counted (0/0 is not 0%). */
  ratio: number | null;
  /** The ratio as a percentage rounded to two decimals, as the directives print it (3,71%). */
  percent: number | null;
  definition: string;
};

export function computeFigures(
  counts: MonthlyAgencyCounts,
  definitions: ComplianceDefinitions = complianceDefinitionsV1,
): Record<FigureName, Figure> {
  const entries = Object.entries(definitions.figures).map(([name, figure]) => {
    const numerator = figure.numerator(counts);
    const denominator = figure.denominator(counts);
    const ratio = denominator === 0 ? null : numerator / denominator;
    return [
      name,
      {
        label: figure.label,
        numerator,
        denominator,
        ratio,
        percent: ratio === null ? null : Math.round(ratio * 10_000) / 100,
        definition: figure.definition,
      },
    ];
  });
  return Object.fromEntries(entries) as Record<FigureName, Figure>;
}

export type ThresholdResult = Threshold & { met: boolean | null; ratio: number | null };

/** Thresholds in force at the end of the month; `met` null when the figure has nothing to count. */
export function checkThresholds(
  figures: Record<FigureName, Figure>,
  monthEnd: string,
  definitions: ComplianceDefinitions = complianceDefinitionsV1,
): ThresholdResult[] {
  return definitions.thresholds
    .filter((threshold) => threshold.from < monthEnd.slice(0, 10))
    .map((threshold) => {
      const ratio = figures[threshold.figure].ratio;
      return { ...threshold, ratio, met: ratio === null ? null : ratio >= threshold.minimum };
    });
}
