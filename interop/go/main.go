// Command interop checks, with the Go checksum database's own packages
// (golang.org/x/mod/sumdb/note and golang.org/x/mod/sumdb/tlog), the
// checkpoints and proofs that the ceasefire crate writes.
//
// Usage:
//
//	GOPATH=/usr/share/gocode GO111MODULE=off go run main.go DIR
//
// DIR holds:
//
//	keys              verifier keys, one per line; every one must have signed both checkpoints
//	checkpoint        the latest signed checkpoint (C2SP tlog-checkpoint in a signed note)
//	checkpoint.old    an earlier signed checkpoint of the same log
//	consistency       the consistency proof from checkpoint.old to checkpoint, one base64 hash per line
//	proof.tlog-proof  an inclusion proof of one leaf against checkpoint (C2SP tlog-proof)
//	leaf              that leaf's bytes, exactly as hashed
//	log               (optional) the log file; the leaf must be one of its records' bytes
//
// It prints what it checked and exits 0, or prints the first failure and exits 1.
package main

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

type checkpoint struct {
	origin string
	size   int64
	root   tlog.Hash
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: interop DIR")
		os.Exit(2)
	}
	if err := run(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "FAIL:", err)
		os.Exit(1)
	}
}

func run(dir string) error {
	read := func(name string) ([]byte, error) { return os.ReadFile(filepath.Join(dir, name)) }
	keyText, err := read("keys")
	if err != nil {
		return err
	}
	var verifiers []note.Verifier
	for _, line := range strings.Split(strings.TrimSpace(string(keyText)), "\n") {
		v, err := note.NewVerifier(line)
		if err != nil {
			return fmt.Errorf("verifier key %q: %v", line, err)
		}
		verifiers = append(verifiers, v)
	}
	known := note.VerifierList(verifiers...)

	latest, err := openCheckpoint(read, "checkpoint", known, len(verifiers))
	if err != nil {
		return err
	}
	old, err := openCheckpoint(read, "checkpoint.old", known, len(verifiers))
	if err != nil {
		return err
	}
	if old.origin != latest.origin {
		return fmt.Errorf("origins differ: %q and %q", old.origin, latest.origin)
	}

	consistency, err := read("consistency")
	if err != nil {
		return err
	}
	treeProof, err := hashLines(string(consistency))
	if err != nil {
		return fmt.Errorf("consistency: %v", err)
	}
	if err := tlog.CheckTree(tlog.TreeProof(treeProof), latest.size, latest.root, old.size, old.root); err != nil {
		return fmt.Errorf("consistency %d -> %d: %v", old.size, latest.size, err)
	}
	fmt.Printf("ok: consistency %d -> %d\n", old.size, latest.size)

	proofFile, err := read("proof.tlog-proof")
	if err != nil {
		return err
	}
	leaf, err := read("leaf")
	if err != nil {
		return err
	}
	// A directory written from a log file (examples/signed_reports.rs) also holds the log:
	// the leaf must be the exact bytes of one of its records.
	if logFile, err := read("log"); err == nil {
		if !bytes.Contains(logFile, leaf) {
			return errors.New("leaf: not the bytes of any record in log")
		}
		fmt.Println("ok: leaf is a record of log")
	} else if !errors.Is(err, os.ErrNotExist) {
		return err
	}
	index, recordProof, cpNote, err := parseTlogProof(proofFile)
	if err != nil {
		return fmt.Errorf("proof.tlog-proof: %v", err)
	}
	proven, err := openNote(cpNote, "proof.tlog-proof checkpoint", known, len(verifiers))
	if err != nil {
		return err
	}
	if proven.origin != latest.origin {
		return fmt.Errorf("proof is for log %q, not %q", proven.origin, latest.origin)
	}
	if err := tlog.CheckRecord(recordProof, proven.size, proven.root, index, tlog.RecordHash(leaf)); err != nil {
		return fmt.Errorf("inclusion of leaf %d in tree %d: %v", index, proven.size, err)
	}
	fmt.Printf("ok: inclusion of leaf %d in tree %d of %s\n", index, proven.size, proven.origin)
	return nil
}

func openCheckpoint(read func(string) ([]byte, error), name string, known note.Verifiers, want int) (checkpoint, error) {
	msg, err := read(name)
	if err != nil {
		return checkpoint{}, err
	}
	return openNote(msg, name, known, want)
}

// openNote verifies a signed note and requires a signature by every known key.
func openNote(msg []byte, name string, known note.Verifiers, want int) (checkpoint, error) {
	n, err := note.Open(msg, known)
	if err != nil {
		return checkpoint{}, fmt.Errorf("%s: %v", name, err)
	}
	if len(n.Sigs) != want {
		return checkpoint{}, fmt.Errorf("%s: signed by %d of the %d keys", name, len(n.Sigs), want)
	}
	cp, err := parseCheckpoint(n.Text)
	if err != nil {
		return checkpoint{}, fmt.Errorf("%s: %v", name, err)
	}
	fmt.Printf("ok: %s %s size %d, %d signatures verified\n", name, cp.origin, cp.size, len(n.Sigs))
	return cp, nil
}

// parseCheckpoint reads the origin, tree size and root hash lines of c2sp.org/tlog-checkpoint.
func parseCheckpoint(text string) (checkpoint, error) {
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if len(lines) < 3 || lines[0] == "" {
		return checkpoint{}, errors.New("checkpoint needs origin, size and root lines")
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || size < 0 || strconv.FormatInt(size, 10) != lines[1] {
		return checkpoint{}, fmt.Errorf("bad tree size %q", lines[1])
	}
	root, err := tlog.ParseHash(lines[2])
	if err != nil {
		return checkpoint{}, fmt.Errorf("bad root hash %q", lines[2])
	}
	return checkpoint{origin: lines[0], size: size, root: root}, nil
}

func hashLines(text string) ([]tlog.Hash, error) {
	var out []tlog.Hash
	if text == "" {
		return out, nil
	}
	if !strings.HasSuffix(text, "\n") {
		return nil, errors.New("missing final newline")
	}
	for i, line := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		h, err := tlog.ParseHash(line)
		if err != nil {
			return nil, fmt.Errorf("line %d: %v", i+1, err)
		}
		out = append(out, h)
	}
	return out, nil
}

// parseTlogProof reads a c2sp.org/tlog-proof@v1 file.
func parseTlogProof(data []byte) (int64, tlog.RecordProof, []byte, error) {
	split := bytes.Index(data, []byte("\n\n"))
	if split < 0 {
		return 0, nil, nil, errors.New("no blank line before the checkpoint")
	}
	head, cp := string(data[:split]), data[split+2:]
	lines := strings.Split(head, "\n")
	if lines[0] != "c2sp.org/tlog-proof@v1" {
		return 0, nil, nil, fmt.Errorf("bad first line %q", lines[0])
	}
	lines = lines[1:]
	if len(lines) > 0 && strings.HasPrefix(lines[0], "extra ") {
		if _, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(lines[0], "extra ")); err != nil {
			return 0, nil, nil, fmt.Errorf("bad extra line: %v", err)
		}
		lines = lines[1:]
	}
	if len(lines) == 0 || !strings.HasPrefix(lines[0], "index ") {
		return 0, nil, nil, errors.New("no index line")
	}
	digits := strings.TrimPrefix(lines[0], "index ")
	index, err := strconv.ParseInt(digits, 10, 64)
	if err != nil || index < 0 || strconv.FormatInt(index, 10) != digits {
		return 0, nil, nil, fmt.Errorf("bad index %q", digits)
	}
	var proof tlog.RecordProof
	for _, line := range lines[1:] {
		h, err := tlog.ParseHash(line)
		if err != nil {
			return 0, nil, nil, fmt.Errorf("bad proof hash %q", line)
		}
		proof = append(proof, h)
	}
	return index, proof, cp, nil
}
