import { expect } from 'chai';
import { TEMPLATE_COLUMNS, detectImportFormat, type DetectedFormat } from '../../db/imports/import-formats.js';

// Header rows as the vendors' exports write them (import-formats.md).
const SHOPIFY =
  'Customer ID,First Name,Last Name,Email,Accepts Email Marketing,Default Address Company,Default Address Address1,' +
  'Default Address Address2,Default Address City,Default Address Province Code,Default Address Country Code,' +
  'Default Address Zip,Default Address Phone,Phone,Accepts SMS Marketing,Total Spent,Total Orders,Note,Tax Exempt,Tags';
const SQUARE =
  'Reference ID,First Name,Last Name,Email Address,Phone Number,Nickname,Company Name,Street Address 1,Street Address 2,' +
  'City,State,Postal Code,Birthday,Memo,Square Customer ID,Creation Source,First Visit,Last Visit,Transaction Count,' +
  'Lifetime Spend,Email Subscription Status,Instant Profile,Blocked from online booking';
const DUTCHIE =
  'firstName,lastName,dateOfBirth,phone,cellPhone,emailAddress,address1,address2,city,state,postalCode,customerType,' +
  'mmjidNumber,mmjidExpirationDate,customerId';
const TEMPLATE = TEMPLATE_COLUMNS.join(',');

const cells = (line: string) => line.split(',');

function detected(header: string[]): DetectedFormat {
  const result = detectImportFormat(header);
  if ('error' in result) throw new Error(`expected a format, got: ${result.error}`);
  return result;
}

describe('import format detection', () => {
  it('recognises each export from its real header row', () => {
    expect(detected(cells(TEMPLATE)).format).to.equal('patron');
    expect(detected(cells(SHOPIFY)).format).to.equal('shopify');
    expect(detected(cells(SQUARE)).format).to.equal('square');
    expect(detected(cells(DUTCHIE)).format).to.equal('dutchie');
  });

  it('recognises an older Shopify export without Customer ID, and one with a birth-date metafield', () => {
    const older = cells(SHOPIFY).slice(1);
    expect(detected(older).format).to.equal('shopify');
    expect(detected(older).columnOf('externalId')).to.equal(undefined);
    const withBirth = [...older, 'Birth date (customer.metafields.facts.birth_date)'];
    expect(detected(withBirth).columnOf('birthday')).to.equal('Birth date (customer.metafields.facts.birth_date)');
  });

  it('recognises a Square export from a few of its columns', () => {
    expect(detected(['First Name', 'Last Name', 'Email Address', 'Square Customer ID']).format).to.equal('square');
  });

  it('strips a UTF-8 BOM and surrounding spaces, and ignores case', () => {
    const header = cells(TEMPLATE);
    header[0] = '\uFEFFfirst_name';
    header[1] = '  LAST_NAME ';
    const format = detected(header);
    expect(format.format).to.equal('patron');
    expect(format.columnOf('firstName')).to.equal('first_name');
    expect(format.columnOf('lastName')).to.equal('LAST_NAME');

    const shopify = cells(SHOPIFY.toUpperCase());
    shopify[0] = '\uFEFF CUSTOMER ID';
    expect(detected(shopify).format).to.equal('shopify');
    expect(detected(shopify).columnOf('externalId')).to.equal('CUSTOMER ID');
    expect(detected(cells(DUTCHIE.toLowerCase())).format).to.equal('dutchie');
  });

  it('ignores columns it does not know, wherever they are', () => {
    const format = detected(['loyalty_tier', 'first_name', 'favourite_strain', 'last_name', 'email']);
    expect(format.format).to.equal('patron');
    expect(format.read(['gold', 'Ada', 'Blue Dream', 'Byron', 'ada@example.com']).customer).to.deep.equal({
      firstName: 'Ada',
      lastName: 'Byron',
      email: 'ada@example.com',
    });
  });

  it('refuses a header that matches no format, naming the template columns', () => {
    for (const header of [['name', 'mail', 'mobile'], ['First Name', 'Last Name', 'Email'], [], ['']]) {
      const result = detectImportFormat(header);
      expect(result)
        .to.have.property('error')
        .that.matches(/no known customer file/);
      expect(result).to.have.deep.property('expectedColumns', TEMPLATE_COLUMNS);
    }
  });

  it('refuses a recognised file without its first or last name column, naming that column', () => {
    expect(detectImportFormat(['first_name', 'email'])).to.deep.include({
      error: "the header row looks like a Patron template but has no 'last_name' column",
      expectedColumns: TEMPLATE_COLUMNS,
    });
    const noNames = cells(SHOPIFY).filter((h) => !h.endsWith('Name'));
    expect(detectImportFormat(noNames)).to.have.property(
      'error',
      "the header row looks like a Shopify customer export but has no 'first name' and 'last name' column",
    );
    const noLast = cells(DUTCHIE).filter((h) => h !== 'lastName');
    expect(detectImportFormat(noLast)).to.have.property('error').that.contains("no 'lastname' column");
  });

  describe('columnOf', () => {
    it('names the file’s own header for each field path, and undefined when the file has no such column', () => {
      const template = detected(cells(TEMPLATE));
      expect(template.columnOf('driversLicense.number')).to.equal('drivers_license');
      expect(template.columnOf('medicalCard.expiresOn')).to.equal('medical_card_expires_on');
      expect(template.columnOf('consents.marketingSms')).to.equal('marketing_sms_opt_in');
      expect(template.columnOf('address.postalCode')).to.equal('postal_code');
      expect(template.columnOf('medicalCard.state')).to.equal(undefined);
      expect(template.columnOf('loyaltyPoints')).to.equal(undefined);

      const shopify = detected(cells(SHOPIFY));
      expect(shopify.columnOf('address.line1')).to.equal('Default Address Address1');
      expect(shopify.columnOf('consents.marketingEmail')).to.equal('Accepts Email Marketing');
      expect(shopify.columnOf('phone')).to.equal('Phone');
      expect(shopify.columnOf('gender')).to.equal(undefined);

      const square = detected(cells(SQUARE));
      expect(square.columnOf('externalId')).to.equal('Square Customer ID');
      expect(square.columnOf('consents.marketingEmail')).to.equal('Email Subscription Status');

      const dutchie = detected(cells(DUTCHIE));
      expect(dutchie.columnOf('phone')).to.equal('cellPhone');
      expect(dutchie.columnOf('medicalCard.number')).to.equal('mmjidNumber');
      expect(dutchie.columnOf('birthday')).to.equal('dateOfBirth');
    });

    it('also reads the API rules’ paths: addresses.N.field, tags.N and a whole document', () => {
      const dutchie = detected(cells(DUTCHIE));
      expect(dutchie.columnOf('addresses.0.city')).to.equal('city');
      expect(dutchie.columnOf('medicalCard')).to.equal('mmjidNumber');
      const template = detected(cells(TEMPLATE));
      expect(template.columnOf('tags.3')).to.equal('tags');
      expect(template.columnOf('driversLicense')).to.equal('drivers_license');
      expect(template.columnOf('consents')).to.equal('marketing_email_opt_in');
    });

    it('names the fallback phone column when the file has only that one', () => {
      expect(detected(['First Name', 'Last Name', 'Default Address Phone']).columnOf('phone')).to.equal(
        'Default Address Phone',
      );
      expect(detected(['firstName', 'lastName', 'phone']).columnOf('phone')).to.equal('phone');
    });
  });
});
