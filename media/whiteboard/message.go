package whiteboard

import "github.com/jishitong/jishitong/internal/layout"

// Version is the protocol version this package speaks.
const Version = 1

// Protocol limits (docs/whiteboard.md §5).
const (
	// MaxMessageBytes bounds a client-to-server message.
	MaxMessageBytes = 64 << 10
	// MaxServerMessageBytes bounds a server-to-client message: a relayed
	// update is the client's elements plus seq and from, so it may exceed
	// MaxMessageBytes by a few hundred bytes. Browsers accept data-channel
	// messages of 256 KiB and more.
	MaxServerMessageBytes = MaxMessageBytes + 2<<10
	// MaxUpdateElements bounds the elements of one update.
	MaxUpdateElements = 200
	// MaxMessageIDBytes bounds a client message id (printable ASCII).
	MaxMessageIDBytes = 64
	// MaxParticipantIDBytes bounds a participant id ([A-Za-z0-9._~:-]).
	MaxParticipantIDBytes = 64
	// MaxCoordinate bounds |x| and |y| of a pointer.
	MaxCoordinate = 1e9
	// MaxErrorMessageBytes bounds the message of an error frame.
	MaxErrorMessageBytes = 512
)

// ParticipantID identifies a participant within a meeting: the /rtc
// participantId of the peer connection that carries the data channel. It is the
// one participant ID of every plane (layout.ParticipantID).
type ParticipantID = layout.ParticipantID

// Type is a message type, the envelope's "type".
type Type uint8

// Message types. Update and pointer go both ways with different fields.
const (
	TypeUnknown  Type = iota
	TypeUpdate        // both ways: a scene delta
	TypePointer       // both ways: an ephemeral cursor position
	TypeClear         // client to server: erase the board (moderators)
	TypeSnapshot      // server to client: the whole board, possibly in parts
	TypeCleared       // server to client: the board was erased
	TypeAck           // server to client: a client message with an id was applied
	TypeError         // server to client: a client message was refused
)

var typeNames = [...]string{"unknown", "update", "pointer", "clear", "snapshot", "cleared", "ack", "error"}

// String returns the type's wire name.
func (t Type) String() string {
	if int(t) < len(typeNames) {
		return typeNames[t]
	}
	return typeNames[0]
}

func typeOf(s []byte) Type {
	for i := 1; i < len(typeNames); i++ {
		if string(s) == typeNames[i] {
			return Type(i)
		}
	}
	return TypeUnknown
}

// fromClient reports whether clients may send t.
func (t Type) fromClient() bool {
	return t == TypeUpdate || t == TypePointer || t == TypeClear
}

// Tool is what a pointer draws on the other participants' screens.
type Tool uint8

// Pointer tools; ToolUnknown is the absent field and means ToolPointer.
const (
	ToolUnknown Tool = iota
	ToolPointer      // a cursor
	ToolLaser        // Excalidraw's laser pointer trail
)

var toolNames = [...]string{"", "pointer", "laser"}

// String returns the tool's wire name ("" for ToolUnknown).
func (t Tool) String() string {
	if int(t) < len(toolNames) {
		return toolNames[t]
	}
	return ""
}

// Button is the state of the pointer's primary button.
type Button uint8

// Pointer button states; ButtonUnknown is the absent field and means ButtonUp.
const (
	ButtonUnknown Button = iota
	ButtonUp
	ButtonDown
)

var buttonNames = [...]string{"", "up", "down"}

// String returns the button's wire name ("" for ButtonUnknown).
func (b Button) String() string {
	if int(b) < len(buttonNames) {
		return buttonNames[b]
	}
	return ""
}

// Message is one protocol message in either direction. The envelope is flat:
// every field is a member of the top-level object, and which fields a type
// carries is listed in docs/whiteboard.md §3 and §4. Fields a type does not
// carry are zero. A field's wire tag names its envelope member (one of the
// codec's field names; "v" has no field); internal/contracts reads the tags to
// generate the TypeScript types of the protocol.
type Message struct {
	Type Type `wire:"type"`
	// ID is the client's message id (client messages, optional), and the id
	// acknowledged by an ack.
	ID string `wire:"id"`
	// Seq is the board sequence number (server update, snapshot, cleared, ack).
	Seq uint64 `wire:"seq"`
	// From is the participant whose update or pointer this is (server).
	From ParticipantID `wire:"from"`
	// By is the moderator who cleared the board (cleared).
	By ParticipantID `wire:"by"`
	// Part and Parts number a snapshot's messages, 1..Parts.
	Part  int `wire:"part"`
	Parts int `wire:"parts"`
	// Elements of an update or a snapshot part.
	Elements []Element `wire:"elements"`
	// X, Y, Tool and Button describe a pointer.
	X      float64 `wire:"x"`
	Y      float64 `wire:"y"`
	Tool   Tool    `wire:"tool"`
	Button Button  `wire:"button"`
	// Accepted and Stale count an acknowledged update's elements.
	Accepted int `wire:"accepted"`
	Stale    int `wire:"stale"`
	// Code, Text and RefID make an error frame; Text is "message" on the wire.
	Code  Code   `wire:"code"`
	Text  string `wire:"message"`
	RefID string `wire:"refId"`
}
