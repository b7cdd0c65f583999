package rtc

import (
	"context"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/jishitong/jishitong/internal/meeting"
	"github.com/jishitong/jishitong/media/signal"
	"github.com/jishitong/jishitong/media/whiteboard"
)

// WhiteboardStore keeps each run's whiteboard: *conference.Service implements it.
type WhiteboardStore interface {
	SaveWhiteboard(ctx context.Context, runID string, scene []byte) error
	SavedWhiteboard(ctx context.Context, runID string) ([]byte, error)
}

// whiteboardLabel is the data channel a client opens on its publisher connection.
const whiteboardLabel = "whiteboard"

// saveEvery is how often a changed whiteboard is saved while the meeting runs, so
// that a crash loses at most this much drawing; it is saved again when the room
// closes.
const saveEvery = 30 * time.Second

// saveTimeout bounds one save.
const saveTimeout = 10 * time.Second

// newBoard returns the whiteboard hub of a new room; a peer whose data channel fails
// has it closed (the client reopens it and gets a fresh snapshot).
func (s *Server) newBoard(r *Room) *whiteboard.Hub {
	return whiteboard.NewHub(whiteboard.Config{
		Logger: s.log.With("run", r.RunID),
		OnPeerFailed: func(id whiteboard.ParticipantID, err error) {
			if p := r.participant(signal.ParticipantID(id)); p != nil {
				if dc := p.board.Load(); dc != nil {
					_ = dc.Close()
				}
			}
		},
	})
}

// savedBoard reads the run's saved whiteboard for a room about to open; nil without a
// store, without a saved board, or when the room is already open.
func (s *Server) savedBoard(runID string) []byte {
	if s.boards == nil {
		return nil
	}
	s.mu.Lock()
	open := s.rooms[runID] != nil
	s.mu.Unlock()
	if open {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), saveTimeout)
	defer cancel()
	scene, err := s.boards.SavedWhiteboard(ctx, runID)
	if err != nil {
		s.log.Warn("rtc: read the saved whiteboard", "run", runID, "err", err)
		return nil
	}
	return scene
}

// onDataChannel accepts the client's whiteboard channel: reliable and ordered, or it
// is closed. pion's goroutine.
func (p *participant) onDataChannel(dc *webrtc.DataChannel) {
	if dc.Label() != whiteboardLabel || !dc.Ordered() || dc.MaxRetransmits() != nil || dc.MaxPacketLifeTime() != nil {
		p.log.Info("rtc: refusing a data channel", "label", dc.Label(), "ordered", dc.Ordered())
		_ = dc.Close()
		return
	}
	r := p.room
	if r == nil || r.board == nil {
		_ = dc.Close()
		return
	}
	id := p.id
	dc.OnOpen(func() {
		if !p.allowBoardOpen(time.Now()) {
			p.log.Info("rtc: whiteboard channel reopened too often; refusing it")
			_ = dc.Close()
			return
		}
		if old := p.board.Swap(dc); old != nil && old != dc {
			_ = old.Close()
		}
		if err := r.board.Attach(id, whiteboard.ChannelSender(dc, 0, 0)); err != nil {
			p.log.Info("rtc: whiteboard attach", "err", err)
			_ = dc.Close()
		}
	})
	dc.OnMessage(func(m webrtc.DataChannelMessage) {
		_ = r.board.Receive(id, p.moderator(), m.Data)
	})
	dc.OnClose(func() {
		if p.board.CompareAndSwap(dc, nil) {
			r.board.Detach(id)
		}
	})
}

// Each open of the whiteboard channel costs a full snapshot (up to 8 MiB): a
// participant may open it boardOpenBurst times, then once per boardOpenEvery.
const (
	boardOpenBurst = 5
	boardOpenEvery = 10 * time.Second
)

// allowBoardOpen is a token bucket over the participant's whiteboard channel opens.
// pion's data-channel goroutines.
func (p *participant) allowBoardOpen(now time.Time) bool {
	p.boardMu.Lock()
	defer p.boardMu.Unlock()
	if p.boardTokens == 0 && p.boardRefill.IsZero() {
		p.boardTokens, p.boardRefill = boardOpenBurst, now
	}
	if gained := int(now.Sub(p.boardRefill) / boardOpenEvery); gained > 0 {
		p.boardTokens = min(boardOpenBurst, p.boardTokens+gained)
		p.boardRefill = p.boardRefill.Add(time.Duration(gained) * boardOpenEvery)
	}
	if p.boardTokens == 0 {
		return false
	}
	p.boardTokens--
	return true
}

// moderator reports whether the participant is the meeting's host or an admin: they
// may clear the whiteboard and read every private chat message.
func (p *participant) moderator() bool {
	return p.grant.Moderator || p.grant.Role == meeting.RoleHost
}

// saveBoard stores the room's whiteboard if it changed since the last save.
func (s *Server) saveBoard(r *Room) {
	if s.boards == nil || !r.board.Dirty() {
		return
	}
	scene, seq := r.board.Export()
	ctx, cancel := context.WithTimeout(context.Background(), saveTimeout)
	defer cancel()
	if err := s.boards.SaveWhiteboard(ctx, r.RunID, scene); err != nil {
		s.log.Warn("rtc: save the whiteboard", "run", r.RunID, "bytes", len(scene), "err", err)
		return
	}
	r.board.MarkSaved(seq)
}

// saveBoards saves every room's changed whiteboard, one save at a time, in the
// background; a save still running when the next round comes skips that round.
func (s *Server) saveBoards() {
	if s.boards == nil || !s.saving.CompareAndSwap(false, true) {
		return
	}
	rooms := s.roomList()
	s.saves.Add(1)
	go func() {
		defer s.saves.Done()
		defer s.saving.Store(false)
		for _, r := range rooms {
			s.saveBoard(r)
		}
	}()
}

// closeRoom saves a dropped room's whiteboard and closes its hub, in the background.
func (s *Server) closeRoom(r *Room) {
	s.saves.Add(1)
	go func() {
		defer s.saves.Done()
		s.saveBoard(r)
		_ = r.board.Close()
	}()
}
