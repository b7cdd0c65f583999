// Package layout assigns meeting participants to the panes of hardware-MCU-style layouts.
// Layouts are data and assignment is a pure function: browsers drawing the meeting, the
// compositor (live stream, recording, SIP terminals) and the SFU (which picks a simulcast
// layer from a pane's size) all compute or receive the same Result. The package does no
// I/O, starts no goroutines and never reads a clock: the meeting's owner passes Now.
//
// # Geometry
//
// A Layout is a grid of equal cells and panes covering whole cells, so all geometry is
// exact integers:
//
//	single  1x1    one big pane
//	2x2     2x2    four big panes
//	1+7     4x4    big: cols 0-2 rows 0-2; 7 small: (3,0) (3,1) (3,2) (0,3) (1,3) (2,3) (3,3)
//	1+21    5x5    big: cols 0-1 rows 0-1; 21 small: the other cells
//	2+21    14x6   2 big: 7x3 cells each, side by side in the top half;
//	               21 small: 2x1 cells each, 7 columns x 3 rows in the bottom half
//
// On a 16:9 canvas every pane of single, 2x2, 1+7 and 1+21 and the big panes of 2+21 are
// 16:9; the small panes of 2+21 are wider (32:21). Panes are numbered big first, then
// small, each in reading order (by row, then column); that is also the filling order.
// Pane.Rect gives fractions of the canvas; Pane.Pixels gives pixel rectangles whose edges
// are even pixels shared exactly by neighbours, so the panes of a layout tile any canvas
// (1920x1080, 1280x720, ...) without gap or overlap.
//
// A pane's Role (Big or Small) is geometry. What it shows is its Assignment: a
// participant's camera or screen share (content), and whether the pane rotates (Polled).
//
// # Assignment
//
// Assign claims panes in this order:
//
//  1. Pins. A pinned pane shows its participant's camera while the participant is in the
//     roster; otherwise the pin is ignored and the pane is filled like any other. A
//     pinned participant is not shown elsewhere (except the screen share below).
//  2. Polling. The polled panes that no pin holds rotate (see below). Pins win over
//     polling because a pin is the narrower instruction.
//  3. Filling. The remaining panes, in pane order (big panes first), take: the
//     whiteboard when it is shown to everyone (Input.Whiteboard; SourceWhiteboard, no
//     participant), so that a moderator's or presenter's board is the main pane unless
//     a pin holds it; the screen share of the first sharer in the roster
//     (SourceScreen); that sharer's camera (dual stream: the second big pane in 2+21,
//     the first small pane in 1+7 and 1+21, the second pane in 2x2, nowhere in single);
//     the presenters in roster order; the active speaker; then everyone else in roster
//     order. Single therefore shows the whiteboard, else the screen share, else a
//     presenter, else the active speaker, else the first participant.
//
// Nobody is shown twice, except a sharer's screen next to the same sharer's camera.
// Participants left over when the panes run out are not shown (Result.Hidden counts
// them) unless polling rotates them in. Only the first screen share is shown; enforcing
// one sharer at a time is the meeting's job.
//
// # Polling
//
// Polling (轮询) rotates chosen panes through candidates, on the meeting's clock: step
// k = floor((Now-Epoch)/Interval) (step 0 before Epoch) shows candidates k*n to k*n+n-1,
// wrapping, in the n polled panes, so each step moves on by a screenful and everyone
// appears within ceil(candidates/n) steps. Result.NextChange = Epoch+(k+1)*Interval tells
// the owner when to recompute; it is zero when nothing rotates.
//
// The candidates are Polling.Set in its order (or, when the set is empty, the roster in
// its order), minus everyone a pin or filling already shows: a polled participant never
// also appears in a fixed pane. Filling takes explicit set members only after everyone
// else, so that they stay in the rotation, yet it never leaves a fixed pane empty while
// a set member is hidden. Participants who join or leave change the candidates, and so
// what the current step shows, but never cause a duplicate. With no more candidates than
// polled panes each is shown once, first panes first, and the rest stay empty.
//
// # Decided by others
//
// The meeting's owner validates settings (ParseMode, ValidatePins, ValidatePolling) when
// the host changes them, sets Polling.Epoch, revalidates pins and polling when the mode
// changes (Assign ignores pins and polling that do not fit the layout), decides whether
// polling pauses during a screen share (a polled pane is never given to content), and
// calls Assign when the input changes or at Result.NextChange.
package layout
