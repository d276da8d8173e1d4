import fs from 'node:fs';
import path from 'node:path';
import fontkit from '@pdf-lib/fontkit';
import { PDFDocument } from 'pdf-lib';
import { PNG } from 'pngjs';
import { X509Certificate } from 'node:crypto';
import { VanthuProblem, createVanthuClient, formData, softwareSigner } from '@vanthu/client';
import type { VanthuClient } from '@vanthu/client';
import { queryOcsp } from './ocsp';
import { ensureSandboxPersonalCertificate } from './sandbox-certificates';
import { issueCertificateForRequest } from './pki';
import type { Infrastructure } from './stack';
import { signDevToken } from './token';

// `npm run sandbox`: a seeded province for integrators, written through the public API only (the same calls an
// integrator makes), so what it seeds is what the API accepts. Seeding twice changes nothing: every step first
// reads what is there (organisation import is an upsert; certificates, registers and documents are looked up).

export const sandboxProvince = {
  code: '000.00.00.H99',
  name: 'Ủy ban nhân dân tỉnh Thử Nghiệm',
  abbreviation: 'UBND',
} as const;

/** Agencies of the sandbox province: the People's Committee, departments (sở) and communes (xã), mã định danh shaped per QĐ 20/2020/QĐ-TTg, each with its staff directory (people, units, roles). */
export const sandboxAgencies: {
  code: string;
  name: string;
  abbreviation: string;
  parentCode: string | null;
  units: { code: string; name: string; abbreviation: string }[];
  people: { userId: string; fullName: string; position: string; unitCode: string; roles: Role[] }[];
}[] = [
  {
    ...sandboxProvince,
    parentCode: null,
    units: [
      { code: 'VP', name: 'Văn phòng Ủy ban nhân dân tỉnh', abbreviation: 'VP' },
      { code: 'TH', name: 'Phòng Tổng hợp', abbreviation: 'TH' },
      { code: 'KGVX', name: 'Phòng Khoa giáo - Văn xã', abbreviation: 'KGVX' },
    ],
    people: [
      { userId: 'an', fullName: 'Nguyễn Văn An', position: 'Chủ tịch', unitCode: 'VP', roles: ['agency-leader'] },
      // In the unit leader's unit: the outgoing process sends her draft to the leader of her own unit (unit-review).
      { userId: 'binh', fullName: 'Trần Thị Bình', position: 'Chuyên viên', unitCode: 'TH', roles: ['specialist'] },
      { userId: 'cuong', fullName: 'Lê Hoàng Cường', position: 'Trưởng phòng', unitCode: 'TH', roles: ['unit-leader'] },
      { userId: 'van-thu', fullName: 'Đỗ Thị Hạnh', position: 'Văn thư', unitCode: 'VP', roles: ['clerk'] },
      {
        userId: 'kiem-tra',
        fullName: 'Hoàng Văn Khải',
        position: 'Chuyên viên pháp chế',
        unitCode: 'VP',
        roles: ['format-checker'],
      },
      {
        userId: 'thanh-tra',
        fullName: 'Bùi Thị Lan',
        position: 'Chánh Văn phòng',
        unitCode: 'VP',
        roles: ['dossier-inspector'],
      },
      administrator('Ngô Quang Minh'),
    ],
  },
  {
    code: '000.00.31.H99',
    name: 'Sở Khoa học và Công nghệ tỉnh Thử Nghiệm',
    abbreviation: 'SKHCN',
    parentCode: sandboxProvince.code,
    units: [{ code: 'VP', name: 'Văn phòng Sở', abbreviation: 'VP' }],
    people: [
      {
        userId: 'tong-hop',
        fullName: 'Phan Thị Ngọc',
        position: 'Chuyên viên tổng hợp',
        unitCode: 'VP',
        roles: ['report-collector'],
      },
      { userId: 'van-thu-so', fullName: 'Trịnh Văn Phúc', position: 'Văn thư', unitCode: 'VP', roles: ['clerk'] },
      administrator('Hà Minh Quân'),
    ],
  },
  {
    code: '000.00.12.H99',
    name: 'Sở Tài chính tỉnh Thử Nghiệm',
    abbreviation: 'STC',
    parentCode: sandboxProvince.code,
    units: [{ code: 'VP', name: 'Văn phòng Sở', abbreviation: 'VP' }],
    people: [
      { userId: 'van-thu-stc', fullName: 'Lý Thị Quỳnh', position: 'Văn thư', unitCode: 'VP', roles: ['clerk'] },
      administrator('Tạ Văn Rạng'),
    ],
  },
  {
    code: '000.31.41.H99',
    name: 'Ủy ban nhân dân xã Thử Nghiệm Đông',
    abbreviation: 'UBND',
    parentCode: sandboxProvince.code,
    units: [{ code: 'VP', name: 'Văn phòng - Thống kê', abbreviation: 'VPTK' }],
    people: [
      {
        userId: 'van-thu-xa',
        fullName: 'Đặng Văn Sơn',
        position: 'Công chức Văn phòng',
        unitCode: 'VP',
        roles: ['clerk'],
      },
      administrator('Đinh Thị Sen'),
    ],
  },
  {
    code: '000.31.42.H99',
    name: 'Ủy ban nhân dân xã Thử Nghiệm Tây',
    abbreviation: 'UBND',
    parentCode: sandboxProvince.code,
    units: [{ code: 'VP', name: 'Văn phòng - Thống kê', abbreviation: 'VPTK' }],
    people: [
      {
        userId: 'van-thu-xa',
        fullName: 'Mai Thị Tâm',
        position: 'Công chức Văn phòng',
        unitCode: 'VP',
        roles: ['clerk'],
      },
      administrator('Kiều Văn Thắng'),
    ],
  },
];

/** Each agency's system administrator (quản trị hệ thống), who onboards its seal key. */
function administrator(fullName: string): (typeof sandboxAgencies)[number]['people'][number] {
  return { userId: 'quan-tri', fullName, position: 'Quản trị hệ thống', unitCode: 'VP', roles: ['admin'] };
}

type Role =
  | 'clerk'
  | 'specialist'
  | 'unit-leader'
  | 'format-checker'
  | 'agency-leader'
  | 'dossier-inspector'
  | 'report-collector'
  | 'admin';

/**
 * One sign-in per role (the token `npm run token` would mint), and where the key that signs for them comes from: the
 * test PKI's person (`pkiSlug`), or a key made by the sandbox and certified by the test CA (`sandboxCertificate`, for
 * the format checker, whom the test PKI does not have). The outgoing process (routing's default definition) needs an
 * activated certificate for each human signature: the unit leader's and the format checker's initials, the leader's
 * approval. The clerk, who signs only with the agency's seal, works under a written exception instead (`exception`).
 */
const sandboxLogins: {
  role: Role;
  user: string;
  agency: string;
  unit: string;
  pkiSlug?: string;
  sandboxCertificate?: true;
  exception?: true;
}[] = [
  { role: 'clerk', user: 'van-thu', agency: sandboxProvince.code, unit: 'VP', exception: true },
  { role: 'specialist', user: 'binh', agency: sandboxProvince.code, unit: 'TH', pkiSlug: 'tran-thi-binh' },
  { role: 'unit-leader', user: 'cuong', agency: sandboxProvince.code, unit: 'TH', pkiSlug: 'le-hoang-cuong' },
  { role: 'format-checker', user: 'kiem-tra', agency: sandboxProvince.code, unit: 'VP', sandboxCertificate: true },
  { role: 'agency-leader', user: 'an', agency: sandboxProvince.code, unit: 'VP', pkiSlug: 'nguyen-van-an' },
  { role: 'dossier-inspector', user: 'thanh-tra', agency: sandboxProvince.code, unit: 'VP' },
  { role: 'report-collector', user: 'tong-hop', agency: '000.00.31.H99', unit: 'VP' },
  { role: 'admin', user: 'quan-tri', agency: sandboxProvince.code, unit: 'VP' },
];

export type SandboxLogin = {
  role: Role;
  user: string;
  name: string;
  agency: string;
  unit: string;
  token: string;
  /** For people with an activated personal certificate: the test key and certificate for the client's softwareSigner. */
  keyPath?: string;
  certPath?: string;
};

export type SandboxManifest = {
  gatewayUrl: string;
  province: string;
  agencies: { code: string; name: string }[];
  logins: SandboxLogin[];
  registers: { id: string; name: string; direction: string }[];
  documents: { stage: string; id: string; subject: string; status: string; version: number }[];
  /** Each agency's organisation seal key, generated in the HSM through POST /v1/signing-keys and certified by the test CA. */
  seals: SandboxSeal[];
  /** A blank công văn (NĐ 30/2020 Phụ lục I) for the Chairman's signature, to upload as a draft of one's own. */
  congVanPdf: string;
  /** What this run added (an empty list on a repeat). */
  created: string[];
};

export type SandboxSeal = {
  agencyCode: string;
  signingKeyId: string;
  keyIdHex: string;
  /** The certificate the test CA issued for the key's request (PEM), as attached. */
  certPath: string;
  certificateSha256: string;
};

export const sandboxSubjects = {
  draft: '[sandbox] Về việc dự thảo kế hoạch chuyển đổi số năm 2027',
  approved: '[sandbox] Về việc triển khai chữ ký số chuyên dùng công vụ',
  issued: '[sandbox] Về việc tổ chức hội nghị tổng kết công tác văn thư năm 2026',
  incoming: '[sandbox] Công văn đến: Về việc báo cáo số liệu ứng dụng công nghệ thông tin',
} as const;
/** The subject printed on the blank công văn the sandbox writes for integrators' own drafts (not a stored document). */
const templateSubject = '[sandbox] Về việc thực hiện quy trình văn bản đi có chữ ký số';

const outgoingRegisterName = 'Sổ công văn đi 2026 (sandbox)';
const incomingRegisterName = 'Sổ văn bản đến 2026 (sandbox)';

const fontPath = '/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf';

/** A one-page công văn laid out per NĐ 30/2020 Phụ lục I (header, số/ký hiệu, trích yếu, body, Nơi nhận, signature block). */
export async function sandboxCongVan(subject: string, signerName = 'Nguyễn Văn An'): Promise<Buffer> {
  const pdf = await PDFDocument.create();
  pdf.registerFontkit(fontkit);
  pdf.setCreationDate(new Date('2026-11-02T08:00:00Z'));
  pdf.setModificationDate(new Date('2026-11-02T08:00:00Z'));
  pdf.setProducer('vanthu sandbox');
  pdf.setTitle(subject);
  const font = await pdf.embedFont(fs.readFileSync(fontPath), { subset: true });
  const page = pdf.addPage([595.28, 841.89]);
  const line = (text: string, x: number, y: number, size = 13): void => page.drawText(text, { x, y, size, font });
  line('ỦY BAN NHÂN DÂN', 70, 790);
  line('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', 250, 790);
  line('TỈNH THỬ NGHIỆM', 80, 774);
  line('Độc lập - Tự do - Hạnh phúc', 310, 774, 14);
  line('Số:       /UBND-VP', 70, 746);
  line('Thử Nghiệm, ngày     tháng 11 năm 2026', 300, 746, 14);
  line(subject.replace('[sandbox] ', 'V/v ').slice(0, 70), 70, 728, 12);
  const body = [
    'Thực hiện Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ',
    'về công tác văn thư, Ủy ban nhân dân tỉnh đề nghị các sở, ban, ngành và',
    'Ủy ban nhân dân các xã triển khai nội dung nêu trên, bảo đảm đúng thời hạn.',
    'Đề nghị các cơ quan, đơn vị nghiêm túc thực hiện./.',
  ];
  body.forEach((text, i) => line(text, 85, 680 - i * 18));
  line('Nơi nhận:', 70, 580, 12);
  ['- Như trên;', '- Lưu: VT, VP.'].forEach((text, i) => line(text, 70, 566 - i * 13, 11));
  line('TM. ỦY BAN NHÂN DÂN', 350, 580);
  line('CHỦ TỊCH', 395, 564);
  line(signerName, 380, 470);
  return Buffer.from(await pdf.save({ useObjectStreams: false }));
}

/** A deterministic image: a blue signature stroke, or a red round seal (the seal check wants red). */
function sandboxImage(kind: 'signature' | 'seal'): Buffer {
  const size = kind === 'seal' ? 300 : 120;
  const width = kind === 'seal' ? 300 : 300;
  const png = new PNG({ width, height: size });
  png.data.fill(0);
  const paint = (x: number, y: number): void => {
    const i = (y * width + x) * 4;
    const [r, g, b] = kind === 'seal' ? [220, 20, 30] : [20, 40, 200];
    png.data[i] = r;
    png.data[i + 1] = g;
    png.data[i + 2] = b;
    png.data[i + 3] = 255;
  };
  for (let y = 0; y < size; y += 1)
    for (let x = 0; x < width; x += 1) {
      if (kind === 'seal') {
        const r = Math.hypot(x - 150, y - 150);
        if ((r > 135 && r < 146) || (r > 90 && r < 96) || r < 30) paint(x, y);
      } else if (Math.abs(y - (60 + Math.sin(x / 15) * 35)) < 3 && x > 10 && x < 290) paint(x, y);
    }
  return PNG.sync.write(png);
}

export type SeedOptions = {
  gatewayUrl: string;
  infra: Infrastructure;
  /** Where the manifest and the signers' keys are written. */
  outDir: string;
  say?: (line: string) => void;
  /** Token lifetime; a working day by default. */
  ttlSeconds?: number;
};

/** Seeds the sandbox province through the API and writes `sandbox.json` (tokens, keys, ids) to `outDir`. */
export async function seedSandbox(options: SeedOptions): Promise<SandboxManifest> {
  const say = options.say ?? ((): void => undefined);
  const created: string[] = [];
  const ttlSeconds = options.ttlSeconds ?? 8 * 3600;
  fs.mkdirSync(options.outDir, { recursive: true });
  const personOf = (agency: string, user: string) =>
    sandboxAgencies.find((a) => a.code === agency)?.people.find((p) => p.userId === user);
  const nameOf = (agency: string, user: string): string => personOf(agency, user)?.fullName ?? user;

  const logins: SandboxLogin[] = [];
  for (const login of sandboxLogins) {
    const name = nameOf(login.agency, login.user);
    const token = await signDevToken(options.infra.devJwt.privateKeyPath, {
      user: login.user,
      agency: login.agency,
      roles: [login.role],
      unit: login.unit,
      name,
      ttlSeconds,
      issuer: options.infra.devJwt.issuer,
    } as Parameters<typeof signDevToken>[1]);
    const entry: SandboxLogin = {
      role: login.role,
      user: login.user,
      name,
      agency: login.agency,
      unit: login.unit,
      token,
    };
    if (login.pkiSlug) {
      const person = options.infra.pki.persons[login.pkiSlug];
      if (!person) throw new Error(`the test PKI has no person ${login.pkiSlug}`);
      const dir = path.join(options.outDir, 'people', login.user);
      fs.mkdirSync(dir, { recursive: true });
      entry.keyPath = path.join(dir, 'key.pem');
      entry.certPath = path.join(dir, 'cert.pem');
      fs.copyFileSync(person.keyPath, entry.keyPath);
      fs.chmodSync(entry.keyPath, 0o600);
      fs.copyFileSync(person.certPath, entry.certPath);
    }
    if (login.sandboxCertificate) {
      const agency = sandboxAgencies.find((a) => a.code === login.agency);
      const person = personOf(login.agency, login.user);
      if (!agency || !person) throw new Error(`the sandbox directory has no ${login.user} in ${login.agency}`);
      const own = await ensureSandboxPersonalCertificate({
        pki: options.infra.pki,
        dir: path.join(options.outDir, 'people', login.user),
        holder: {
          fullName: person.fullName,
          title: person.position,
          unitName: agency.units.find((u) => u.code === person.unitCode)?.name ?? person.unitCode,
          agencyName: agency.name,
        },
      });
      entry.keyPath = own.keyPath;
      entry.certPath = own.certPath;
    }
    logins.push(entry);
  }
  const login = (role: Role): SandboxLogin => logins.find((l) => l.role === role) as SandboxLogin;
  const client = (role: Role): VanthuClient =>
    createVanthuClient({ baseUrl: options.gatewayUrl, token: login(role).token });
  const admin = client('admin');
  const clerk = client('clerk');

  // 1. The organisation directory (upsert: a repeat leaves it as it is), loaded by the province's directory-admin: an
  // agency's administrator imports only its own agency.
  const directoryAdmin = createVanthuClient({
    baseUrl: options.gatewayUrl,
    token: await signDevToken(options.infra.devJwt.privateKeyPath, {
      user: 'quan-tri-danh-ba',
      agency: sandboxProvince.code,
      roles: ['directory-admin'],
      unit: 'VP',
      name: 'Quản trị danh bạ tỉnh',
      ttlSeconds: 600,
      issuer: options.infra.devJwt.issuer,
    } as Parameters<typeof signDevToken>[1]),
  });
  await directoryAdmin.POST('/v1/organisations/imports', { body: { organisations: sandboxAgencies } as never });
  say(`  ✓ ${sandboxAgencies.length} agencies with units and people in their roles`);

  // 2. Each agency's organisation seal, onboarded as an administrator of the agency does it (issue 15 item 4): the
  // key pair generated inside the HSM, the CA's certificate for its request attached; HSM_SEALS is not used.
  const seals: SandboxSeal[] = [];
  for (const agency of sandboxAgencies) {
    const token = await signDevToken(options.infra.devJwt.privateKeyPath, {
      user: 'quan-tri',
      agency: agency.code,
      roles: ['admin'],
      unit: agency.units[0]?.code,
      name: 'Quản trị hệ thống',
      ttlSeconds: 600,
      issuer: options.infra.devJwt.issuer,
    } as Parameters<typeof signDevToken>[1]);
    const seal = await onboardSeal(createVanthuClient({ baseUrl: options.gatewayUrl, token }), agency, options);
    if (seal.created) created.push(`seal key of ${agency.name}`);
    seals.push(seal.seal);
  }
  say('  ✓ organisation seal keys generated in the HSM, certified by the test CA');

  // 3. Personal certificates, registered by their owner and activated by the administrator (NĐ 68/2024).
  const certificates = (await admin.GET('/v1/certificates')) as unknown as { sha256: string; status: string }[];
  for (const person of logins.filter((l) => l.certPath)) {
    const pem = fs.readFileSync(person.certPath as string, 'utf8');
    const own = client(person.role);
    const { X509Certificate } = await import('node:crypto');
    const sha256 = new X509Certificate(pem).fingerprint256.replace(/:/g, '').toLowerCase();
    const known = certificates.find((c) => c.sha256.replace(/:/g, '').toLowerCase() === sha256);
    if (known?.status === 'active') continue;
    const registered = known
      ? (known as unknown as { id: string })
      : await own.POST('/v1/certificates', { body: { certificate: pem } });
    await admin.POST('/v1/certificates/{id}/activate', { params: { path: { id: registered.id } }, body: {} as never });
    // A new signer also gets a signature image (uploaded once, with the activation).
    await own.POST('/v1/signature-images', {
      body: formData({
        // Initials (chữ ký nháy) for the unit leader and the format checker; a full signature for the others.
        metadata: JSON.stringify({
          kind: person.role === 'unit-leader' || person.role === 'format-checker' ? 'initial' : 'signature',
        }),
        file: { bytes: sandboxImage('signature'), filename: 'chu-ky.png', contentType: 'image/png' },
      }),
    });
    created.push(`certificate of ${person.name}`);
  }
  say('  ✓ personal certificates active, with signature images');

  // 3b. Since the gating date (16/4/2026) no electronic task goes to a person without an activated certificate unless
  // the head of the agency allowed it in writing (docs/domain/directives.md, Đà Nẵng §1b): the clerk's permission.
  // The province's administrator grants it: every login with an exception is of the People's Committee.
  for (const person of sandboxLogins.filter((l) => l.exception && l.agency === sandboxProvince.code)) {
    const { items } = await admin.GET('/v1/certificate-exceptions', { params: { query: { userId: person.user } } });
    const inForce = items.some(
      (e) => e.revokedAt === null && (e.validUntil === null || Date.parse(e.validUntil) > Date.now()),
    );
    if (inForce) continue;
    await admin.POST('/v1/certificate-exceptions', {
      body: {
        userId: person.user,
        referenceDocument: '12/QĐ-UBND',
        reason: 'Văn thư ký số bằng chữ ký số của cơ quan; chứng thư số cá nhân đang chờ cấp',
      },
    });
    created.push(`certificate exception of ${nameOf(person.agency, person.user)}`);
  }
  say('  ✓ written exception for the clerk (no personal certificate)');

  // 4. Registers (sổ đăng ký văn bản đi/đến) and the agency's form policy.
  const existingRegisters = (await clerk.GET('/v1/registers')).items;
  const registers: SandboxManifest['registers'] = [];
  for (const [name, direction] of [
    [outgoingRegisterName, 'outgoing'],
    [incomingRegisterName, 'incoming'],
  ] as const) {
    let register = existingRegisters.find((r) => r.name === name);
    if (!register) {
      register = await admin.POST('/v1/registers', { body: { name, direction } });
      created.push(`register ${name}`);
      if (direction === 'outgoing') {
        // The agency's seal image goes with its first register.
        await clerk.POST('/v1/signature-images', {
          body: formData({
            metadata: JSON.stringify({ kind: 'seal', widthMm: 36 }),
            file: { bytes: sandboxImage('seal'), filename: 'con-dau.png', contentType: 'image/png' },
          }),
        });
      }
    }
    registers.push({ id: register.id, name, direction });
  }
  await admin.PUT('/v1/document-types/form-policy', {
    body: { entries: [{ typeCode: 'CV', form: 'electronic' }] },
  });
  say('  ✓ registers and form policy');

  // 5. Sample documents at every stage, found again by their subject.
  const findDocument = async (subject: string): Promise<{ id: string } | undefined> => {
    for await (const d of clerk.paginate('/v1/documents', { params: { query: { q: subject, limit: 50 } } }))
      if (d.subject === subject) return d;
    return undefined;
  };
  type Stored = { id: string; status: string; currentVersion: number };
  const ensure = async (
    subject: string,
    direction: 'outgoing' | 'incoming',
    metadata: Record<string, unknown> = {},
  ): Promise<Stored> => {
    const found = await findDocument(subject);
    if (found) return clerk.GET('/v1/documents/{id}', { params: { path: { id: found.id } } }) as Promise<Stored>;
    created.push(`document ${subject}`);
    return clerk.uploadDocument(await sandboxCongVan(subject), {
      direction,
      subject,
      typeCode: 'CV',
      ...metadata,
    }) as Promise<Stored>;
  };
  const leader = login('agency-leader');
  const approve = async (documentId: string): Promise<void> => {
    const signer = softwareSigner({
      privateKey: fs.readFileSync(leader.keyPath as string),
      certificates: [fs.readFileSync(leader.certPath as string)],
    });
    await client('agency-leader').signWithToken({
      documents: [documentId],
      kind: 'approval',
      level: 'B-T',
      authorityPrefix: 'TM.',
      positionText: 'CHỦ TỊCH',
      signer,
    });
  };
  const signatureKinds = async (id: string): Promise<string[]> =>
    (await clerk.GET('/v1/documents/{id}/signatures', { params: { path: { id } } })).map((s) => s.kind);
  const registerIn = async (id: string, registerId: string, unitCode?: string): Promise<void> => {
    await clerk.POST('/v1/documents/{id}/registration', {
      params: { path: { id } },
      body: { registerId, ...(unitCode ? { unitCode } : {}) },
    });
  };
  // Each document is taken to its stage from wherever it is, so an interrupted run is finished by the next one.
  const outgoingRegister = registers[0]?.id as string;
  await ensure(sandboxSubjects.draft, 'outgoing');
  const approved = await ensure(sandboxSubjects.approved, 'outgoing');
  if (!(await signatureKinds(approved.id)).includes('approval')) await approve(approved.id);
  const issued = await ensure(sandboxSubjects.issued, 'outgoing');
  if (!(await signatureKinds(issued.id)).includes('approval')) await approve(issued.id);
  if ((await clerk.GET('/v1/documents/{id}', { params: { path: { id: issued.id } } })).status === 'draft')
    await registerIn(issued.id, outgoingRegister, 'VP');
  if (!(await signatureKinds(issued.id)).includes('issue'))
    await clerk.POST('/v1/documents/{id}/signatures', {
      params: { path: { id: issued.id } },
      body: { kind: 'issue', level: 'B-T' } as never,
    });
  if ((await clerk.GET('/v1/documents/{id}', { params: { path: { id: issued.id } } })).status === 'registered')
    await clerk.POST('/v1/documents/{id}/issue', { params: { path: { id: issued.id } }, body: {} as never });
  // The issuer's own số, ký hiệu and date (NĐ 30/2020 Phụ lục VI), as an incoming document from a department carries.
  const incoming = await ensure(sandboxSubjects.incoming, 'incoming', {
    sender: { organId: '000.00.31.H99', organName: 'Sở Khoa học và Công nghệ tỉnh Thử Nghiệm' },
    codeNumber: '125',
    codeNotation: 'SKHCN-VP',
    issuedDate: '2026-11-20',
  });
  if (incoming.status === 'draft') await registerIn(incoming.id, registers[1]?.id as string);
  const documents: SandboxManifest['documents'] = [];
  for (const [stage, subject] of Object.entries(sandboxSubjects)) {
    const found = await findDocument(subject);
    if (!found) throw new Error(`the sandbox document "${subject}" was not stored`);
    const d = await clerk.GET('/v1/documents/{id}', { params: { path: { id: found.id } } });
    documents.push({ stage, id: d.id, subject, status: String(d.status), version: d.currentVersion });
  }
  say('  ✓ sample documents (draft, approved, issued, incoming registered)');

  // The same bytes every run (the PDF's dates are fixed), so a repeat rewrites the file unchanged.
  const congVanPdf = path.join(options.outDir, 'cong-van.pdf');
  fs.writeFileSync(congVanPdf, await sandboxCongVan(templateSubject, login('agency-leader').name));

  const manifest: SandboxManifest = {
    gatewayUrl: options.gatewayUrl,
    province: sandboxProvince.name,
    agencies: sandboxAgencies.map((a) => ({ code: a.code, name: a.name })),
    logins,
    registers,
    documents,
    seals,
    congVanPdf,
    created,
  };
  fs.writeFileSync(path.join(options.outDir, 'sandbox.json'), `${JSON.stringify(manifest, null, 2)}\n`, {
    mode: 0o600,
  });
  return manifest;
}

/**
 * The agency's seal key through the signing-keys API, from wherever an earlier run left it: an active key generated
 * through the API is kept; a key still waiting for its certificate (recorded in `outDir/seals`) gets one; otherwise
 * a new key pair is generated in the HSM. The test CA answers the PKCS#10 request as the real CA would.
 */
async function onboardSeal(
  admin: VanthuClient,
  agency: { code: string },
  options: SeedOptions,
): Promise<{ seal: SandboxSeal; created: boolean }> {
  const dir = path.join(options.outDir, 'seals');
  fs.mkdirSync(dir, { recursive: true });
  const certPath = path.join(dir, `${agency.code}.pem`);
  const pendingFile = path.join(dir, `${agency.code}.pending.json`);
  const sealOf = (key: { id: string; keyIdHex: string }, pem: string): SandboxSeal => ({
    agencyCode: agency.code,
    signingKeyId: key.id,
    keyIdHex: key.keyIdHex,
    certPath,
    certificateSha256: new X509Certificate(pem).fingerprint256.replace(/:/g, '').toLowerCase(),
  });

  const inUse = (await admin.GET('/v1/signing-keys')).keys.find((k) => k.source === 'api' && k.inUse && k.id);
  if (inUse?.id) {
    const key = await admin.GET('/v1/signing-keys/{id}', { params: { path: { id: inUse.id } } });
    if (!key.certificate) throw new Error(`the active seal key ${key.id} of ${agency.code} shows no certificate`);
    const pem = key.certificate.pem;
    fs.writeFileSync(certPath, pem);
    return { seal: sealOf(key, pem), created: false };
  }
  let key: { id: string; keyIdHex: string; csr: string; status: string } | undefined;
  if (fs.existsSync(pendingFile)) {
    const { id } = JSON.parse(fs.readFileSync(pendingFile, 'utf8')) as { id: string };
    key = await admin.GET('/v1/signing-keys/{id}', { params: { path: { id } } }).catch((error: unknown) => {
      if (error instanceof VanthuProblem && error.status === 404) return undefined; // another stack's key
      throw error;
    });
    if (key?.status !== 'pending') key = undefined;
  }
  if (!key) {
    key = await admin.POST('/v1/signing-keys', { body: { agencyCode: agency.code } });
    fs.writeFileSync(pendingFile, `${JSON.stringify({ id: key.id, keyIdHex: key.keyIdHex })}\n`);
  }
  const issued = await issueCertificateForRequest(options.infra.pki, key.csr, dir);
  fs.renameSync(issued.certPath, certPath);
  // The OCSP responder reads the CA's index again only after one more request (infra/src/ocsp.ts): ask once, so
  // the revocation check of the attachment sees the new certificate as good.
  await queryOcsp(certPath, options.infra.pki).catch(() => undefined);
  const pem = fs.readFileSync(certPath, 'utf8');
  await admin.PUT('/v1/signing-keys/{id}/certificate', {
    params: { path: { id: key.id } },
    body: { certificate: pem },
  });
  fs.rmSync(pendingFile, { force: true });
  return { seal: sealOf(key, pem), created: true };
}
