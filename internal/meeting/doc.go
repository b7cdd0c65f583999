// Package meeting holds the authoritative state of one running meeting: its roster, controls,
// layout and flags, owned by one goroutine (an Owner). Every change is one Event with a
// gap-free sequence number; subscribers get a full State, then the events in order.
//
// # Concurrency
//
// Start runs the owner goroutine. Every public method of Owner sends a request to it
// and waits for the reply; each wait also selects on the caller's context and on the
// owner's exit, so no caller blocks on a meeting that has gone. The owner never blocks
// on anyone else: replies go to buffered channels, subscriber queues are bounded and
// written without blocking (an overflowing queue is emptied and refilled with one full
// State), polling timers signal through a one-slot channel, and Config.Log and
// Config.OnMute run on the owner goroutine and must return at once.
//
// MutedByHost is the exception to request/reply: the media plane reads it per packet
// from a copy-on-write set the owner replaces after every change of host mutes.
//
// # Authorization
//
// An Actor says who asks. Moderators (the host and admins, Actor.IsModerator) may use
// every control; participants may change only themselves; the server itself
// (Actor.System: the media plane, the active-speaker detector, the live and recording
// planes) may do what those planes report. Refusals are errs.KindForbidden.
//
//	operation            self   other participant   moderator   system
//	Join                 yes    -                   yes         yes    (locked: moderators only)
//	Leave                yes    -                   - (Hangup)  yes
//	Mute                 yes    -                   yes         yes
//	Unmute               rules  -                   request     yes
//	SetMedia, network    yes    -                   -           yes
//	SetSpeaking          -      -                   -           yes
//	SetWhiteboard        presenters                 yes         yes
//	MuteAll, SetMuteOnEntry, SetAllowSelfUnmute, Hangup, SetRole, Lock, Unlock, SetLayout, Pin, Unpin,
//	SetPolling, SetLive, SetRecording, End: moderators and the system only.
//	RevokeAccess (a member's account was disabled or its role changed): the system only.
//	RaiseHand            yes    -                   -           -
//	LowerHand            yes    -                   yes         yes
//	LowerAllHands: moderators and the system only.
//	SendChat             yes (as the sender, present in the meeting; a private message
//	                     from a participant goes to the hosts, a host's to one participant)
//
// # Mutes
//
// A participant's own mute (SelfMuted) is theirs to lift. A moderator's mute
// (MutedByHost) is enforced by the media plane; the participant may lift it only when
// the meeting allows self-unmute (State.AllowSelfUnmute, the switch set by
// SetAllowSelfUnmute and by MuteAll; it covers every host mute, also one made before
// it was turned on), or after a
// moderator asked them to (UnmuteRequested). A moderator's Unmute of someone else asks
// them (an unmute_requested event) unless Config.AllowDirectUnmute lets it open their
// microphone directly; muting oneself declines a pending request. MuteAll host-mutes
// everyone but its actor and the host; Config.MuteOnEntry (or SetMuteOnEntry)
// host-mutes every joiner who is not a moderator.
//
// # Chat
//
// A chat message is one chat event (ChatDelta) and changes no State: the owner keeps
// the run's chat (at most MaxChatMessages) apart, so that a full State stays small,
// and Chat and View hand each viewer the messages they may read (ChatMessage.VisibleTo:
// a private message is between one participant and the hosts). Edges that forward
// events must leave a private message out for everyone else (the event still comes, to
// keep the sequence gap-free). Each sender has a token bucket (ChatBurst, then one per
// ChatInterval) on the meeting's clock.
//
// # Layout
//
// The owner recomputes the pane assignment with layout.Assign after every change, with
// the event's time as Now, and attaches the new Assignment to the event that changed
// it. While polling rotates, the owner sets a timer on Config.Clock for
// layout.Result.NextChange; a rotation step that changes the panes is one layout event.
// Polling keeps running during a screen share. The whiteboard shown to everyone
// (SetWhiteboard, State.Whiteboard) is layout input too: it takes the first pane no pin
// or polling holds, before any screen share (layout.SourceWhiteboard), so that the
// compositor draws the same board where the browsers do. The active speaker is the participant
// who last started speaking; it stays so after they stop, until someone else speaks or
// they leave, so that silence does not reshuffle the panes.
package meeting
