import { graphql } from '../../gql';

/** Everything the details page and the edit form need of a meeting. */
export const MeetingDocument = graphql(`
  query Meeting($id: ID!, $from: Time!, $to: Time!) {
    meeting(id: $id) {
      id
      number
      name
      password
      description
      hostName
      host {
        id
        name
        email
      }
      start
      durationMinutes
      timeZone
      participants
      recurrence {
        frequency
        interval
        weekdays
        monthDay
        ordinal
        weekday
        until
        count
        rrule
      }
      room {
        id
        number
        name
        capacity
      }
      options {
        muteOnEntry
        live
        record
        guestsMayStart
      }
      presenterId
      invitees {
        members {
          id
          name
          email
          department
        }
        groupIds
        emails
      }
      instant
      cancelled
      occurrences(from: $from, to: $to) {
        key
        start
        end
        moved
      }
      runInProgress {
        id
        startedAt
      }
      joinUrl
      sipUri
      startableFrom
    }
  }
`);

export const BookMeetingDocument = graphql(`
  mutation BookMeeting($input: BookMeetingInput!) {
    bookMeeting(input: $input) {
      id
      number
      name
      password
      start
    }
  }
`);

export const UpdateMeetingDocument = graphql(`
  mutation UpdateMeeting($id: ID!, $input: BookMeetingInput!) {
    updateMeeting(id: $id, input: $input) {
      id
      number
      name
      start
    }
  }
`);

export const UpdateMeetingFromDocument = graphql(`
  mutation UpdateMeetingFrom($id: ID!, $occurrence: Time!, $input: BookMeetingInput!) {
    updateMeetingFrom(id: $id, occurrence: $occurrence, input: $input) {
      id
      number
      name
      start
    }
  }
`);

export const BookableRoomsDocument = graphql(`
  query BookableRooms {
    rooms {
      id
      number
      name
      capacity
      scope
      ownerId
    }
  }
`);
