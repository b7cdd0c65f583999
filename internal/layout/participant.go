package layout

// ParticipantID identifies a participant of a meeting. The empty ID means nobody.
type ParticipantID string

// Participant is what the layout needs to know about one member of the roster.
type Participant struct {
	ID ParticipantID
	// Video reports that the participant sends camera video. Only polling with
	// SkipNoVideo looks at it: fixed panes show a participant without video too (the
	// renderer draws a placeholder), so turning a camera on or off never reshuffles them.
	Video bool
	// Screen reports that the participant shares a screen.
	Screen bool
	// Presenter reports that the host made the participant a presenter (主讲人).
	Presenter bool
}
