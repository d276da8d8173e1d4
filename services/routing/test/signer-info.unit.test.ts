import { deliveredSignerInfo } from '../src/domain/signer-info';

// What the recipient agency's incoming document records of who signed (Phụ lục VI SignerInfo).
describe('deliveredSignerInfo', () => {
  const declared = { competence: 'KT.', position: 'Chủ tịch', fullName: 'Nguyễn Văn An' };

  it('takes the prefix the approval was signed under over the one the drafter declared (NĐ 30/2020 Điều 13)', () => {
    expect(deliveredSignerInfo(declared, 'TM.')).toEqual({ ...declared, competence: 'TM.' });
  });

  it('keeps the declared prefix when no approval carried one, and leaves out what was not declared', () => {
    expect(deliveredSignerInfo(declared, null)).toEqual(declared);
    expect(deliveredSignerInfo({ fullName: 'Nguyễn Văn An' }, null)).toEqual({ fullName: 'Nguyễn Văn An' });
  });

  it('gives nothing without a declared signer name', () => {
    expect(deliveredSignerInfo(undefined, 'TM.')).toBeUndefined();
    expect(deliveredSignerInfo({ position: 'Chủ tịch' }, 'TM.')).toBeUndefined();
    expect(deliveredSignerInfo({ fullName: '' }, 'TM.')).toBeUndefined();
  });
});
