import { expect } from 'chai';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import request from 'supertest';
import { bearer, createTenant, tokenFor } from '../support/fixtures.js';
import { testContext } from '../support/test-context.js';
import { importRunner } from '../support/import-runner.js';

// Every export format Patron reads, imported as the vendor wrote it (test/fixtures/imports/): the format
// found, the counts, the row warnings and errors at their lines, and the customers as the API answers them.

const FIXTURES = path.resolve('test/fixtures/imports');

interface RowReport {
  row: number;
  column: string | null;
  message: string;
  severity: 'error' | 'warning';
}

describe('customer CSV import: the export formats, unedited', () => {
  const { app, deps, owner } = testContext();
  let tenant: Awaited<ReturnType<typeof createTenant>>;
  let manager: Record<string, string>;

  const runner = importRunner(app, deps, () => ({
    storeId: tenant.storeA.id,
    orgId: tenant.org.id,
    headers: manager,
  }));
  const customersPath = () => `/api/v1/stores/${tenant.storeA.id}/customers`;

  /** Imports through the API and the job's processor; the import must finish. */
  async function importFile(body: Buffer | string, name = 'customers.csv') {
    const done = await runner.importFile(body, name);
    expect(done.status, JSON.stringify(done.error)).to.equal('finished');
    return done;
  }

  const importFixture = async (name: string) => importFile(await readFile(path.join(FIXTURES, name)), name);

  const reports = (result: { errors: RowReport[] }) => result.errors.map((e) => [e.row, e.column, e.severity]);

  const customerCount = async () =>
    Number((await owner('customers').where({ store_id: tenant.storeA.id }).count())[0]!.count);

  /** The customer with this email, as GET /customers/:id answers it. */
  async function customer(email: string) {
    const row = await owner('customers').where({ store_id: tenant.storeA.id, email }).first('id');
    expect(row, `a customer with ${email}`).to.not.equal(undefined);
    const res = await request(app).get(`${customersPath()}/${row.id}`).set(manager);
    expect(res.status).to.equal(200);
    return res.body;
  }

  const decision = (consent: { granted: boolean; source: string | null }) =>
    consent.source === null ? 'none' : consent.granted;

  beforeEach(async () => {
    tenant = await createTenant();
    manager = bearer(await tokenFor(tenant.manager));
  });

  after(async () => {
    await runner.close();
  });

  it('reads a Shopify export: apostrophe-quoted ids, phones and zips, yes/no consents, comma tags, the birth date metafield', async () => {
    const result = await importFixture('shopify-customers.csv');
    expect(result.format).to.equal('shopify');
    expect(result.counts).to.deep.equal({ rows: 4, created: 4, updated: 0, unchanged: 0, failed: 0 });
    expect(result.errors).to.deep.equal([]);

    const maya = await customer('maya.okafor@example.com');
    expect(maya).to.deep.include({
      firstName: 'Maya',
      lastName: 'Okafor',
      phone: '+15035550141',
      birthday: '1988-11-03',
    });
    expect(decision(maya.consents.marketingEmail)).to.equal(true);
    expect(decision(maya.consents.marketingSms)).to.equal(true);
    expect(maya.consents.marketingEmail.source).to.equal('import');
    expect(maya.tags).to.have.members(['vip', 'medical']);
    expect(maya.addresses).to.have.length(1);
    expect(maya.addresses[0]).to.deep.include({
      type: 'shipping',
      line1: '1420 Alder St',
      line2: 'Apt 4, Rear',
      city: 'Portland',
      region: 'OR',
      postalCode: '97214',
      country: 'US',
      isDefault: true,
    });
    expect(maya.externalRefs).to.deep.equal([{ provider: 'shopify', externalId: '7210448301122' }]);

    // Phone empty: the Default Address Phone is taken. The note's line break does not shift the next rows.
    const daniel = await customer('dan.brennan@example.com');
    expect(daniel).to.deep.include({ phone: '+15415550188', birthday: null });
    expect(daniel.tags).to.deep.equal(['wholesale']);
    expect(decision(daniel.consents.marketingEmail)).to.equal(false);
    expect(daniel.externalRefs).to.deep.equal([{ provider: 'shopify', externalId: '7210448301123' }]);

    const lea = await customer('lea.fournier@example.com');
    expect(lea).to.deep.include({ firstName: 'Léa', phone: '+15035550102', birthday: '1995-02-28' });
    expect(lea.addresses).to.deep.equal([]);

    const sam = await customer('sam.w@example.com');
    expect(sam).to.deep.include({ phone: null });
    expect(decision(sam.consents.marketingEmail)).to.equal(false); // 'NO'
    expect(decision(sam.consents.marketingSms)).to.equal(false); // 'No'
    expect(sam.tags).to.have.members(['newsletter', 'returning']); // the blank label between is dropped
  });

  it('reads an older Shopify export (no Customer ID column): no external ref, the rest as usual', async () => {
    const result = await importFixture('shopify-customers-legacy.csv');
    expect(result.format).to.equal('shopify');
    expect(result.counts).to.deep.equal({ rows: 2, created: 2, updated: 0, unchanged: 0, failed: 0 });
    expect(result.errors).to.deep.equal([]);

    const priya = await customer('priya.raman@example.com');
    expect(priya).to.deep.include({ firstName: 'Priya', lastName: 'Raman', phone: '+15415550117' });
    expect(priya.externalRefs).to.deep.equal([]);
    expect(priya.tags).to.deep.equal(['vip']);
    expect(decision(priya.consents.marketingEmail)).to.equal(true);
    expect(decision(priya.consents.marketingSms)).to.equal(false);
    expect(priya.addresses[0]).to.deep.include({
      line1: '77 Birch Ln',
      city: 'Bend',
      region: 'OR',
      postalCode: '97701',
    });

    const tom = await customer('tom.eckert@example.com');
    expect(tom).to.deep.include({ phone: null });
    expect(tom.addresses).to.deep.equal([]);
    expect(tom.externalRefs).to.deep.equal([]);
  });

  it('reads a Square export with CRLF line ends: a birthday without a year is a warning at its line, not an error', async () => {
    const file = await readFile(path.join(FIXTURES, 'square-customers.csv'));
    expect(file.toString('utf8')).to.include('\r\n'); // the fixture is what this test says it is
    const result = await importFixture('square-customers.csv');
    expect(result.format).to.equal('square');
    expect(result.counts).to.deep.equal({ rows: 4, created: 4, updated: 0, unchanged: 0, failed: 0 });
    // Kenji's memo spans lines 3-4, so Grace is on line 5 and Omar on line 6.
    expect(reports(result)).to.deep.equal([
      [3, 'Birthday', 'warning'],
      [6, 'Birthday', 'warning'],
    ]);

    const rosa = await customer('rosa.delgado@example.com');
    expect(rosa).to.deep.include({ firstName: 'Rosa', phone: '+15035550163', birthday: '1990-05-17' });
    expect(decision(rosa.consents.marketingEmail)).to.equal(true);
    expect(rosa.addresses[0]).to.deep.include({
      line1: '310 Pine St',
      line2: 'Unit 2',
      city: 'Portland',
      region: 'OR',
      postalCode: '97205',
    });
    expect(rosa.externalRefs).to.deep.equal([{ provider: 'square', externalId: 'Q8XJ2W4K1N5V7R9T3B6M0P2D4F' }]);

    const kenji = await customer('kenji.w@example.com');
    expect(kenji).to.deep.include({ lastName: 'Watanabe', phone: '+15035550177', birthday: null }); // 0000-05-17
    expect(decision(kenji.consents.marketingEmail)).to.equal(false); // unsubscribed
    expect(kenji.externalRefs).to.deep.equal([{ provider: 'square', externalId: 'A1B2C3D4E5F6G7H8J9K0L1M2N3' }]);

    const grace = await customer('grace.h@example.com');
    expect(grace).to.deep.include({ phone: '+15035550190' }); // 5035550190
    expect(decision(grace.consents.marketingEmail)).to.equal(false); // 'Not subscribed'

    const omar = await customer('omar.haddad@example.com');
    expect(omar).to.deep.include({ birthday: null }); // 'May 17'
    expect(decision(omar.consents.marketingEmail)).to.equal('none'); // the status cell is empty
  });

  it("reads a Dutchie file: medical card, customerId as a 'leaflogix' ref, N/A and 1900 dates as unknown", async () => {
    const result = await importFixture('dutchie-customers.csv');
    expect(result.format).to.equal('dutchie');
    expect(result.counts).to.deep.equal({ rows: 4, created: 4, updated: 0, unchanged: 0, failed: 0 });
    expect(reports(result)).to.deep.equal([
      [3, 'address1', 'warning'], // 'N/A' street with a city: the address is left out
      [5, 'customerType', 'warning'], // 'Employee'
    ]);

    const maria = await customer('maria.garcia@example.com');
    expect(maria).to.deep.include({
      firstName: 'María',
      middleName: 'José',
      lastName: 'García',
      birthday: '1984-03-12',
      gender: 'female',
      customerType: 'medical',
      phone: '+14155550134', // cellPhone before phone
    });
    expect(maria.medicalCard).to.deep.include({ number: 'MMJ500000', expiresOn: '2027-06-30' });
    expect(maria.externalRefs).to.deep.equal([{ provider: 'leaflogix', externalId: '5001' }]);
    expect(maria.addresses[0]).to.deep.include({ line1: '12 Mission St', city: 'San Francisco', region: 'CA' });

    const liam = await customer('liam.oconnor@example.com');
    expect(liam).to.deep.include({
      lastName: "O'Connor",
      gender: 'male',
      birthday: '1990-05-17',
      customerType: 'recreational',
      phone: '+14155550150', // cellPhone empty: phone
      medicalCard: null, // 'N/A'
    });
    expect(liam.addresses).to.deep.equal([]);
    expect(liam.externalRefs).to.deep.equal([{ provider: 'leaflogix', externalId: '5002' }]);

    const zoe = await customer('zoe.chen@example.com');
    expect(zoe).to.deep.include({ birthday: null, customerType: 'medical', phone: '+15105550199' });
    expect(zoe.medicalCard).to.deep.include({ expiresOn: '2026-12-31' }); // 12/31/2026
    expect(zoe.externalRefs).to.deep.equal([{ provider: 'leaflogix', externalId: '5003' }]);

    const ana = await customer('ana.silva@example.com');
    expect(ana).to.deep.include({ birthday: '1979-07-04', gender: 'female', customerType: 'recreational' });
  });

  it('reads our template with a byte order mark: every column, quoted commas and a line break inside a cell', async () => {
    const file = await readFile(path.join(FIXTURES, 'patron-template.csv'));
    expect([...file.subarray(0, 3)]).to.deep.equal([0xef, 0xbb, 0xbf]);
    const result = await importFixture('patron-template.csv');
    expect(result.format).to.equal('patron');
    expect(result.counts).to.deep.equal({ rows: 3, created: 3, updated: 0, unchanged: 0, failed: 0 });
    expect(result.errors).to.deep.equal([]);

    const jordan = await customer('jordan.avery@example.com');
    expect(jordan).to.deep.include({
      firstName: 'Jordan', // the BOM is not part of the first column's name
      middleName: 'Lee',
      lastName: 'Avery',
      phone: '+15035550111',
      birthday: '1987-09-14',
      gender: 'female',
      customerType: 'recreational',
    });
    expect(jordan.driversLicense).to.deep.equal({ number: 'D1234567', state: 'OR', expiresOn: '2029-09-14' });
    expect(decision(jordan.consents.marketingEmail)).to.equal(true);
    expect(decision(jordan.consents.marketingSms)).to.equal(false);
    expect(jordan.tags).to.have.members(['vip', 'newsletter']);
    expect(jordan.addresses[0]).to.deep.include({
      line1: '221 Cedar St',
      line2: 'Apt 3, Back',
      city: 'Portland',
      region: 'OR',
      postalCode: '97209',
      country: 'US',
    });
    expect(jordan.externalRefs).to.deep.equal([{ provider: 'import', externalId: 'legacy-1001' }]);

    const marcus = await customer('marcus.bell@example.com');
    expect(marcus).to.deep.include({
      birthday: '1975-03-05', // 3/5/1975
      gender: 'male',
      customerType: 'medical',
      phone: '+15035550122',
    });
    expect(marcus.medicalCard).to.deep.include({ expiresOn: '2026-12-31' });
    expect(marcus.medicalCard.number).to.match(/88231$/);
    expect(marcus.tags).to.have.members(['medical', 'loyal']);
    expect(marcus.addresses).to.deep.equal([]);

    const hana = await customer('hana.sato@example.com');
    expect(hana).to.deep.include({ gender: 'undisclosed', phone: null });
    expect(decision(hana.consents.marketingEmail)).to.equal(true); // 1
    expect(decision(hana.consents.marketingSms)).to.equal(false); // 0
    expect(hana.addresses[0]).to.deep.include({ line1: '9 Willow Way\nBuilding B', city: 'Beaverton' });
    expect(hana.externalRefs).to.deep.equal([]);
  });

  it("reads our template with ';' between cells: quoted ';' and ',' stay in their cell", async () => {
    const result = await importFixture('patron-template-semicolon.csv');
    expect(result.format).to.equal('patron');
    expect(result.counts).to.deep.equal({ rows: 3, created: 3, updated: 0, unchanged: 0, failed: 0 });
    expect(result.errors).to.deep.equal([]);

    const elodie = await customer('elodie.martin@example.com');
    expect(elodie).to.deep.include({ firstName: 'Élodie', phone: '+33612345678', birthday: '1992-07-01' });
    expect(elodie.tags).to.have.members(['vip', 'fr']);
    expect(elodie.addresses[0]).to.deep.include({
      line1: '12, rue des Lilas',
      city: 'Lyon',
      postalCode: '69003',
      country: 'FR',
    });

    const paul = await customer('paul.dubois@example.com');
    expect(paul).to.deep.include({ birthday: '1980-08-15', customerType: 'medical', phone: '+33698765432' });
    expect(paul.medicalCard).to.deep.include({ expiresOn: '2027-01-31' });
    expect(decision(paul.consents.marketingEmail)).to.equal(false);

    const nina = await customer('nina.keller@example.com');
    expect(decision(nina.consents.marketingEmail)).to.equal(true); // 'Y'
    expect(nina.tags).to.have.members(['returning', 'online']);
    expect(nina.addresses[0]).to.deep.include({ line1: 'Hof 3; Eingang B', postalCode: '69001', country: 'FR' });
  });

  it('reports each bad row of a template file at its line and column, without its value; the good row imports', async () => {
    const result = await importFixture('patron-template-row-errors.csv');
    expect(result.counts).to.deep.equal({ rows: 5, created: 1, updated: 0, unchanged: 0, failed: 4 });
    expect(reports(result)).to.deep.equal([
      [3, 'marketing_email_opt_in', 'error'], // 'sometimes'
      [4, 'birthday', 'error'], // 31.02.1982
      [5, 'gender', 'error'], // 'robot'
      [6, 'first_name', 'error'], // empty
    ]);
    expect(JSON.stringify(result.errors)).not.to.match(/sometimes|31\.02|robot|bad\.|no\.first/);
    expect(await customerCount()).to.equal(1);
    expect(await customer('good.row@example.com')).to.deep.include({ birthday: '1980-01-31', gender: 'female' });

    const csv = await request(app).get(result.errorsUrl).set(manager);
    expect(csv.status).to.equal(200);
    const lines = csv.text.trim().split(/\r?\n/);
    expect(lines[0]).to.equal('row,column,message,severity');
    expect(lines.slice(1).map((l) => l.split(',').slice(0, 2).join(','))).to.deep.equal([
      '3,marketing_email_opt_in',
      '4,birthday',
      '5,gender',
      '6,first_name',
    ]);
  });

  it('normalises every phone spelling of a file to E.164, Shopify apostrophes included', async () => {
    const template = await importFile(
      [
        'first_name,last_name,email,phone',
        'Ann,One,ann.one@example.com,(503) 555-0111',
        'Ben,Two,ben.two@example.com,503.555.0122',
        'Cat,Three,cat.three@example.com,+1 503 555 0133',
        'Dan,Four,dan.four@example.com,5035550144',
      ].join('\n'),
    );
    expect(template.counts).to.deep.include({ created: 4, failed: 0 });
    const shopify = await importFile(
      "Customer ID,First Name,Last Name,Email,Phone,Accepts Email Marketing\n'9001,Eve,Five,eve.five@example.com,'+15035550155,no\n",
    );
    expect(shopify.format).to.equal('shopify');
    expect(shopify.counts).to.deep.include({ created: 1, failed: 0 });

    const phones = await Promise.all(
      ['ann.one', 'ben.two', 'cat.three', 'dan.four', 'eve.five'].map(
        async (name) => (await customer(`${name}@example.com`)).phone,
      ),
    );
    expect(phones).to.deep.equal(['+15035550111', '+15035550122', '+15035550133', '+15035550144', '+15035550155']);
  });

  it('a row whose email matches a customer made through the API, in another case, updates that customer', async () => {
    const created = await request(app)
      .post(customersPath())
      .set(manager)
      .send({ firstName: 'Ada', lastName: 'Lovelace', email: 'ada.lovelace@example.com' });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    expect(created.body.version).to.equal(1);

    const result = await importFile(
      'first_name,last_name,email,phone,birthday\nAda,Lovelace,ADA.Lovelace@Example.COM,(503) 555-0199,1985-12-10\n',
    );
    expect(result.counts).to.deep.equal({ rows: 1, created: 0, updated: 1, unchanged: 0, failed: 0 });
    expect(await customerCount()).to.equal(1);

    const ada = await request(app).get(`${customersPath()}/${created.body.id}`).set(manager);
    expect(ada.body).to.deep.include({
      email: 'ada.lovelace@example.com',
      phone: '+15035550199',
      birthday: '1985-12-10',
      version: 2,
    });
    const audit = await owner('audit_log')
      .where({ subject_id: created.body.id, action: 'customer.updated' })
      .select('changed_fields');
    expect(audit.map((a) => a.changed_fields)).to.deep.equal([['birthday', 'phone']]);
  });
});
