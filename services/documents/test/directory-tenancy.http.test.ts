import { startHarness } from './http-harness';
import type { Harness } from './http-harness';
import { agencyA, agencyB } from '../../../test/support/identities';

// The organisation directory is shared by the province (routing prints names from it, signing puts an agency's name
// in its seal certificate), so who may write which entry is a tenancy rule: an agency's administrator imports only
// its own agency, the province's directory-admin any. A refused import changes nothing (one transaction); the
// database is read directly, not through the service.

let h: Harness;
let adminB: Record<string, string>;

const agencyAEntry = {
  code: agencyA,
  name: 'Ủy ban nhân dân tỉnh Thử Nghiệm',
  abbreviation: 'UBND',
  units: [{ code: 'vp', name: 'Văn phòng', abbreviation: 'VP' }],
  people: [{ userId: 'van-thu', fullName: 'Lý Thị Quỳnh', unitCode: 'vp', roles: ['clerk'] }],
};
const agencyBEntry = { code: agencyB, name: 'Sở Khoa học và Công nghệ', abbreviation: 'SKHCN', parentCode: agencyA };

async function stored(code: string): Promise<unknown> {
  const organisation = await h.fixture.pool.query(
    'SELECT code, name, abbreviation, parent_code, updated_at FROM organisations WHERE code = $1',
    [code],
  );
  const units = await h.fixture.pool.query(
    'SELECT code, name, abbreviation FROM organisation_units WHERE organisation_code = $1 ORDER BY code',
    [code],
  );
  const people = await h.fixture.pool.query(
    'SELECT user_id, full_name, unit_code, roles FROM organisation_people WHERE organisation_code = $1 ORDER BY user_id',
    [code],
  );
  return { organisation: organisation.rows, units: units.rows, people: people.rows };
}

beforeAll(async () => {
  h = await startHarness('directory-tenancy');
  adminB = h.headersFor({ userId: 'quan-tri-b', agencyCode: agencyB, roles: ['admin'] });
  const loaded = await h.post(
    '/v1/organisations/imports',
    { organisations: [agencyAEntry, agencyBEntry] },
    h.directoryAdmin,
  );
  expect(loaded.statusCode).toBe(200);
  expect(loaded.json()).toEqual({ organisations: 2, units: 1, people: 1 });
});
afterAll(async () => {
  await h.close();
});

describe('who may import which directory entry', () => {
  it("refuses agency B's administrator importing into agency A, by JSON or CSV, and leaves A as it was", async () => {
    const before = await stored(agencyA);
    const hijack = {
      ...agencyAEntry,
      name: 'Cơ quan giả mạo',
      units: [{ code: 'gia', name: 'Phòng giả', abbreviation: 'GIA' }],
      people: [{ userId: 'ke-gian', fullName: 'Kẻ Gian', roles: ['agency-leader', 'admin'] }],
    };
    const refused = await h.post('/v1/organisations/imports', { organisations: [hijack] }, adminB);
    expect(refused.statusCode).toBe(403);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.json()).toMatchObject({ status: 403, code: 'FORBIDDEN' });
    expect(refused.json().errors).toEqual([
      { field: 'organisations[0].code', message: expect.stringContaining(agencyA) },
    ]);

    const csv = [
      'organisationCode,organisationName,organisationAbbreviation,parentCode,unitCode,unitName,unitAbbreviation',
      `${agencyA},Cơ quan giả mạo,GIA,,gia,Phòng giả,GIA`,
    ].join('\n');
    const byCsv = await h.app.inject({
      method: 'POST',
      url: '/v1/organisations/imports',
      headers: { ...adminB, 'content-type': 'text/csv' },
      payload: csv,
    });
    expect(byCsv.statusCode).toBe(403);
    expect(byCsv.json()).toMatchObject({ code: 'FORBIDDEN' });
    expect(await stored(agencyA)).toEqual(before);
  });

  it("refuses the whole import when one row is another agency's: B's own good row is not stored either", async () => {
    const beforeA = await stored(agencyA);
    const beforeB = await stored(agencyB);
    const refused = await h.post(
      '/v1/organisations/imports',
      {
        organisations: [
          { ...agencyBEntry, name: 'Sở Khoa học và Công nghệ tỉnh', parentCode: undefined },
          { code: '000.00.77.H99', name: 'Sở mới', abbreviation: 'SM' },
          { ...agencyAEntry, people: [] },
        ],
      },
      adminB,
    );
    expect(refused.statusCode).toBe(403);
    expect(refused.json().errors.map((e: { field: string }) => e.field)).toEqual([
      'organisations[1].code',
      'organisations[2].code',
    ]);
    expect(await stored(agencyA)).toEqual(beforeA);
    expect(await stored(agencyB)).toEqual(beforeB);
    expect((await stored('000.00.77.H99')) as { organisation: unknown[] }).toMatchObject({ organisation: [] });
  });

  it('lets an administrator refresh its own agency, people and roles, but not move it in the province tree', async () => {
    const own = await h.post(
      '/v1/organisations/imports',
      {
        organisations: [
          {
            code: agencyB,
            name: 'Sở Khoa học và Công nghệ tỉnh Thử Nghiệm',
            abbreviation: 'SKHCN',
            units: [{ code: 'qlkh', name: 'Phòng Quản lý khoa học', abbreviation: 'QLKH' }],
            people: [{ userId: 'van-thu-b', fullName: 'Đỗ Văn Bảo', unitCode: 'qlkh', roles: ['clerk'] }],
          },
        ],
      },
      adminB,
    );
    expect(own.statusCode).toBe(200);
    // parentCode left out keeps the parent the directory-admin set.
    expect(await stored(agencyB)).toMatchObject({
      organisation: [{ name: 'Sở Khoa học và Công nghệ tỉnh Thử Nghiệm', parent_code: agencyA }],
      people: [{ user_id: 'van-thu-b', unit_code: 'qlkh', roles: ['clerk'] }],
    });
    expect((await h.post('/v1/organisations/imports', { organisations: [agencyBEntry] }, adminB)).statusCode).toBe(200);

    const before = await stored(agencyB);
    for (const parentCode of [null, '000.00.77.H99']) {
      const moved = await h.post(
        '/v1/organisations/imports',
        { organisations: [{ ...agencyBEntry, parentCode }] },
        adminB,
      );
      expect(moved.statusCode).toBe(403);
      expect(moved.json().errors).toEqual([{ field: 'organisations[0].parentCode', message: expect.any(String) }]);
    }
    expect(await stored(agencyB)).toEqual(before);
  });

  it("lets the province's directory-admin import any agency and set its parent, and no one else without admin", async () => {
    const moved = await h.post(
      '/v1/organisations/imports',
      {
        organisations: [
          { ...agencyBEntry, parentCode: null },
          { ...agencyAEntry, name: 'UBND tỉnh Thử Nghiệm' },
        ],
      },
      h.directoryAdmin,
    );
    expect(moved.statusCode).toBe(200);
    expect(await stored(agencyB)).toMatchObject({ organisation: [{ parent_code: null }] });
    expect(await stored(agencyA)).toMatchObject({ organisation: [{ name: 'UBND tỉnh Thử Nghiệm' }] });

    for (const roles of [['clerk'], ['report-collector'], []] as const) {
      const caller = h.headersFor({ userId: 'ai-do', agencyCode: agencyB, roles: [...roles] });
      const refused = await h.post('/v1/organisations/imports', { organisations: [agencyBEntry] }, caller);
      expect(refused.statusCode).toBe(403);
    }
  });
});
