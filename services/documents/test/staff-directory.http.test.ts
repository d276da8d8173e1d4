import { startHarness } from './http-harness';
import type { Harness } from './http-harness';

// The staff directory with the agencies (issue 15 item 4): people with their units and roles, loaded in one
// transaction. Every bad row is named in the refusal and nothing of the import is stored; the database is read
// directly, not through the service.

let h: Harness;

beforeAll(async () => {
  h = await startHarness('staff-directory');
});
afterAll(async () => {
  await h.close();
});

const agency = {
  code: '000.00.12.H56',
  name: 'Sở Tài chính',
  abbreviation: 'STC',
  units: [
    { code: 'VP', name: 'Văn phòng Sở', abbreviation: 'VP' },
    { code: 'NS', name: 'Phòng Ngân sách', abbreviation: 'NS' },
  ],
  people: [
    { userId: 'van-thu', fullName: 'Lý Thị Quỳnh', position: 'Văn thư', unitCode: 'VP', roles: ['clerk'] },
    { userId: 'truong-phong', fullName: 'Hồ Văn Tùng', unitCode: 'NS', roles: ['unit-leader', 'specialist'] },
    { userId: 'giam-doc', fullName: 'Vũ Thị Uyên', position: 'Giám đốc', roles: ['agency-leader'] },
    { userId: 'quan-tri', fullName: 'Ngô Quang Minh', unitCode: 'VP', roles: ['admin'] },
  ],
};
const storedPeople = async (code: string) =>
  (
    await h.fixture.pool.query<{ user_id: string; unit_code: string | null; roles: string[] }>(
      'SELECT user_id, unit_code, roles FROM organisation_people WHERE organisation_code = $1 ORDER BY user_id',
      [code],
    )
  ).rows;
const importing = (organisations: unknown[]) =>
  h.post('/v1/organisations/imports', { organisations }, h.directoryAdmin);

describe('staff directory import', () => {
  it('stores each person with their unit and roles, shows them, and replaces the roles on a repeat', async () => {
    const imported = await importing([agency]);
    expect(imported.statusCode).toBe(200);
    expect(imported.json()).toEqual({ organisations: 1, units: 2, people: 4 });
    expect(await storedPeople(agency.code)).toEqual([
      { user_id: 'giam-doc', unit_code: null, roles: ['agency-leader'] },
      { user_id: 'quan-tri', unit_code: 'VP', roles: ['admin'] },
      { user_id: 'truong-phong', unit_code: 'NS', roles: ['unit-leader', 'specialist'] },
      { user_id: 'van-thu', unit_code: 'VP', roles: ['clerk'] },
    ]);
    const shown = await h.app.inject({ method: 'GET', url: `/v1/organisations/${agency.code}`, headers: h.asA });
    expect(shown.json().people).toContainEqual({
      userId: 'truong-phong',
      fullName: 'Hồ Văn Tùng',
      unitCode: 'NS',
      roles: ['unit-leader', 'specialist'],
    });

    // A later import names the unit only by code (it is in the directory already), and takes a role away.
    const again = await importing([
      {
        ...agency,
        units: [],
        people: [{ userId: 'truong-phong', fullName: 'Hồ Văn Tùng', unitCode: 'NS', roles: ['specialist'] }],
      },
    ]);
    expect(again.statusCode).toBe(200);
    expect((await storedPeople(agency.code)).find((p) => p.user_id === 'truong-phong')?.roles).toEqual(['specialist']);
  });

  it('refuses every bad row at once, naming each, and stores nothing of the import', async () => {
    const before = await storedPeople(agency.code);
    const newcomer = {
      code: '000.00.13.H56',
      name: 'Sở Xây dựng',
      abbreviation: 'SXD',
      units: [{ code: 'VP', name: 'Văn phòng Sở', abbreviation: 'VP' }],
      people: [
        { userId: 'a', fullName: 'Người A', unitCode: 'VP', roles: ['clerk'] },
        { userId: 'b', fullName: 'Người B', unitCode: 'KHONG-CO', roles: ['specialist'] }, // no such unit
        { userId: 'a', fullName: 'Người A lần hai', roles: ['clerk'] }, // listed twice
        { userId: 'c', fullName: 'Người C', roles: ['unit-leader'] }, // heads no unit
      ],
    };
    const refused = await importing([
      { ...agency, people: [{ userId: 'van-thu', fullName: 'Lý Thị Quỳnh', roles: [] }] },
      newcomer,
      { ...newcomer, people: [] }, // the same organisation twice
    ]);
    expect(refused.statusCode).toBe(400);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(refused.json().errors.map((e: { field: string }) => e.field)).toEqual([
      'organisations[1].people[1].unitCode',
      'organisations[1].people[2].userId',
      'organisations[1].people[3].unitCode',
      'organisations[2].code',
    ]);
    expect(refused.json().errors[0].message).toMatch(/has no unit KHONG-CO/);
    // Nothing moved: the good first organisation was not refreshed, the newcomer not created.
    expect(await storedPeople(agency.code)).toEqual(before);
    const missing = await h.app.inject({ method: 'GET', url: `/v1/organisations/${newcomer.code}`, headers: h.asA });
    expect(missing.statusCode).toBe(404);
  });

  it('refuses a role that is not a staff role, and a role named twice, by the schema', async () => {
    for (const roles of [['service'], ['văn thư'], ['clerk', 'clerk']]) {
      const refused = await importing([{ ...agency, people: [{ userId: 'x', fullName: 'Người X', roles }] }]);
      expect(refused.statusCode).toBe(400);
      expect(refused.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
    }
    expect((await storedPeople(agency.code)).map((p) => p.user_id)).not.toContain('x');
  });
});
