/** The point-of-sale systems a store can run. The registry in ./index.ts must name every one. */
export type PosProvider = 'treez' | 'flowhub' | 'leaflogix' | 'covasoft' | 'blaze';

export const POS_PROVIDERS: readonly PosProvider[] = ['treez', 'flowhub', 'leaflogix', 'covasoft', 'blaze'];

/** A calendar date, 'YYYY-MM-DD', with no time zone: birthdays and document expiries. */
export type IsoDate = string;

export interface PosDocument {
  number: string;
  state: string | null;
  expiresOn: IsoDate | null;
}

/**
 * A customer as every adapter's mapper returns it: our shape, not the vendor's. Values are cleaned of the
 * vendor's placeholders ("N/A", year-1900 dates, empty strings → null) but not normalised: phone stays as
 * the vendor gives it, Patron normalises at write time.
 */
export interface PosCustomer {
  /** The vendor's id, as text (Treez numeric strings, Dutchie ints, Cova GUIDs, Blaze 24-hex). */
  externalId: string;
  firstName: string | null;
  middleName: string | null;
  lastName: string | null;
  birthday: IsoDate | null;
  email: string | null;
  phone: string | null;
  driversLicense: PosDocument | null;
  medicalCard: PosDocument | null;
  customerType: 'recreational' | 'medical' | null;
  loyaltyPoints: number | null;
  /** 'merged': this record was folded into `mergedIntoExternalId` at the POS. */
  status: 'active' | 'inactive' | 'merged';
  mergedIntoExternalId: string | null;
  lastModifiedAt: Date | null;
}

/** What Patron sends when staff create a customer in a store whose POS accepts writes. */
export interface NewPosCustomer {
  /** Patron's customer id, for vendors that keep an external id (Treez `external_id`). */
  patronId: string;
  firstName: string;
  middleName: string | null;
  lastName: string | null;
  birthday: IsoDate | null;
  email: string | null;
  /** E.164, as Patron stores it. */
  phone: string | null;
  driversLicense: PosDocument | null;
  medicalCard: PosDocument | null;
  customerType: 'recreational' | 'medical' | null;
}

/** Only the fields that changed; `null` clears a field, an absent key leaves it alone. */
export type PosCustomerPatch = Partial<Omit<NewPosCustomer, 'patronId'>>;

export interface PosCustomerRef {
  externalId: string;
}
