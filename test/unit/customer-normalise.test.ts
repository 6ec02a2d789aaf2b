import { expect } from 'chai';
import {
  normaliseEmail,
  normaliseIdNumber,
  normaliseName,
  normalisePhone,
} from '../../db/customers/customer-normalise.js';

describe('customer normalisers', () => {
  it('reads phones in the store country and writes E.164', () => {
    for (const raw of ['(415) 555-2671', '415.555.2671', '+1 415 555 2671', '4155552671']) {
      expect(normalisePhone(raw, 'US')).to.deep.equal({ value: '+14155552671' });
    }
    expect(normalisePhone('030 901820', 'DE')).to.deep.equal({ value: '+4930901820' });
    expect(normalisePhone('12', 'US')).to.have.property('error');
  });

  it('lower-cases emails, NFC-normalises names, strips id numbers to A-Z0-9', () => {
    expect(normaliseEmail('  Ana.Maria@Example.COM ')).to.equal('ana.maria@example.com');
    expect(normaliseName(' Jose\u0301   Núñez ')).to.equal('José Núñez');
    expect(normaliseName('Jose\u0301')).to.equal('José'.normalize('NFC'));
    expect(normaliseIdNumber('d123-456 7')).to.equal('D1234567');
  });
});
