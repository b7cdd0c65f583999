// The participants a booking reserves when it names none, as the server decides
// it (25, lowered to the enterprise's quota and the room's capacity), so that
// "only pick a time" books for every enterprise, and the form says so.
import type { FormInstance } from 'antd';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { useQuery } from 'urql';
import { graphql } from '../../gql';
import type { ParticipantsLimit } from '../../gql/graphql';

const BookingDefaultsDocument = graphql(`
  query BookingDefaults($roomId: ID) {
    bookingDefaults(roomId: $roomId) {
      participants
      participantsFrom
    }
  }
`);

/** The hint under the participants field: the default and what set it. */
export function participantsHint(t: (k: string, o?: Record<string, unknown>) => string, n: number, from: ParticipantsLimit): string {
  return t(`booking.participantsDefault.${from}`, { n });
}

/**
 * Fetches the default participants for a booking in roomId (null: a room the system
 * picks) and puts it into the form's `participants` field while the person has not
 * typed one. Returns the default (null until known) and the hint to show while the
 * field holds it. Pass enabled=false when editing: the meeting has its number.
 */
export function useParticipantsDefault(form: FormInstance, roomId: string | null, enabled = true): { n: number | null; hint: string | null } {
  const { t } = useTranslation();
  const [res] = useQuery({ query: BookingDefaultsDocument, variables: { roomId }, pause: !enabled, requestPolicy: 'cache-and-network' });
  const d = res.data?.bookingDefaults;
  const value = form.getFieldValue('participants') as number | null | undefined;
  useEffect(() => {
    if (enabled && d && !form.isFieldTouched('participants')) form.setFieldValue('participants', d.participants);
  }, [enabled, d, form]);
  if (!enabled || !d) return { n: null, hint: null };
  return { n: d.participants, hint: value == null || value === d.participants ? participantsHint(t, d.participants, d.participantsFrom) : null };
}
