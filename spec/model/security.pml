/*
 * PumpWire security layer (spec/security.md, draft): a Promela model for SPIN.
 * How to run it and what was measured: spec/model/README.md and spec/model/check.sh.
 *
 * For every behaviour of a pump, a clinician's programmer, a patient's device and a Dolev-Yao
 * attacker who owns the radio, within the bounds below, it shows:
 *
 *   P1  no replay: within the session in which a receiver accepts frames of a direction, every
 *       frame it accepts has a counter above all it accepted before, so no frame (session,
 *       direction, frameCounter) is accepted twice, nor after a later one
 *                                                            (T4, T7, T13; PW-SEC-10, PW-SEC-12)
 *   P2  origin, no reflection: a frame the pump accepts was sealed by a device, a frame a device
 *       accepts was sealed by the pump, and nothing the attacker made is accepted
 *                                                            (T2, T3, T6; PW-SEC-8, PW-SEC-10)
 *   P3  no frame of another (earlier) session is accepted in the receiver's current session,
 *       across the wrap-around of sessionEpoch too. With P1, no frame is accepted twice at all:
 *       a second acceptance is either in the frame's own session (P1) or outside it (P3).
 *                                                            (T5; PW-SEC-8, PW-SEC-10)
 *   P4  no role escalation: a request is executed only if the table of section 9 lets the role of
 *       the session's slot send it; nothing the patient's device sealed ever gets a
 *       prescriptionBlock, bolusSchedule, refillConfirmation, memoryDumpRequest, deviceEnrollment
 *       or deviceRevocation executed; a revoked slot never starts a session again (until a
 *       clinician enrolls it anew); no request of a revoked slot is executed
 *                                                 (T10, T11; PW-SEC-5, PW-SEC-7, PW-SEC-15, PW-SEC-18)
 *   P5  at most once: the commandIds executed for a slot increase strictly, so a commandId is
 *       executed at most once per slot, across sessions, power loss, revocation and enrollment                                             (T12; PW-SEC-13, PW-SEC-14)
 *
 * Each property is a set of assertions at the event it is about (a frame accepted, a request
 * executed, a session started), so "errors: 0" of an exhaustive search means that no reachable
 * state violates any of them. -DPROP=n keeps only the assertions of property n (0, the default:
 * all five); the broken variants use it so that each counterexample belongs to its property.
 *
 * Broken variants (each must give a counterexample; check.sh runs them):
 *   -DBROKEN_NO_COUNTER_CHECK   receivers skip step 4 of PW-SEC-10                       -> P1
 *   -DBROKEN_NO_TAG_CHECK       receivers skip step 5 of PW-SEC-10                       -> P2
 *   -DBROKEN_SHARED_KEY         one key for both directions (k1 = k2, against PW-SEC-8)  -> P2
 *   -DBROKEN_STATIC_KEYS        keys from the static keys only, the same in every session
 *                               of a slot (no ephemeral contribution)                    -> P3
 *                               found only through the epoch wrap-around: with -DNSESS=2
 *                               (no wrap) the same variant has no error
 *   -DBROKEN_NO_ROLE_CHECK      the pump skips PW-SEC-15                                 -> P4
 *   -DBROKEN_REVOKE_KEEPS_KEY   revocation erases role and last commandId but not the
 *                               slot's key (against PW-SEC-18)                           -> P4
 *   -DBROKEN_CMDID_PER_SESSION  the pump keeps the last commandId in RAM with the keys,
 *                               so it restarts at 0 with each session (against PW-SEC-14) -> P5
 *   -DBROKEN_REVOKE_ERASES_CMDID revocation erases the slot's last commandId too, as the draft
 *                               of PW-SEC-18 said before this model found the run         -> P5
 *                               (needs -DNATT_PAT=2 and about 2 GB: README, finding 3; not
 *                               in check.sh)
 *
 * Witnesses (-DWITNESSES, then ./pan -N wN): runs that reach an event, to show that the
 * assertions of the correct model are not vacuous (their events happen) and that the interesting
 * corners are explored; see the ltl blocks w1 .. w9 below. w7 shows that a sentence of section 7
 * of the draft is not exact (README.md, "Findings").
 *
 * ABSTRACTIONS
 * - Perfect cryptography, symbolic keys. A key is an id: the keys of session s are KEY(s, sl, d),
 *   k1 (d = TOPUMP) seals device-to-pump frames, k2 (d = FROMPUMP) pump-to-device frames
 *   (PW-SEC-8). Only the two ends of the handshake of session s hold them; the attacker holds
 *   none. A tag is the id of the key that sealed the frame: "the tag verifies" (PW-SEC-10 step 5)
 *   is "the frame's key id is the receiver's key for that direction in its current session".
 *   The AEAD covers the header (associated data), counter and epoch (nonce) and payload, so a
 *   frame the attacker changes in any field is a frame the attacker made, with the tag JUNK. The
 *   attacker can therefore deliver (a) any frame it saw, unchanged, to anyone, at any time, any
 *   number of times: drop, delay, reorder, duplicate, replay, reflect, misdirect; or (b) a frame
 *   of its own with any header fields and a JUNK tag, or a handshake message made with its own
 *   static key.
 * - The attacker keeps every frame ever sent (no bound on its memory or on the channel). They are
 *   not stored as frames but as the counts that determine them ("the radio" below).
 * - Noise KK (section 6). Message 1 is made with the device's static key (tokens es, ss) and a
 *   fresh ephemeral (numbered by the device's attempt counter): the pump accepts it if the slot
 *   holds that static key (PW-SEC-7); the attacker can replay one but not make one for a slot
 *   (its own key is in no slot). Message 2 needs the pump's static key and answers one ephemeral:
 *   a device accepts it only if made by the pump for its own pending ephemeral, so an old message
 *   2, or another device's, is refused. The session number in message 2 stands for the split
 *   keys. HANDSHAKE_FAILED answers are unsealed and carry no authority: a device's reaction, to
 *   give up the attempt, is a step it may take at any time.
 * - Pairing (XXpsk3, section 5) is not modelled: the model starts after it, with slot 0 holding the
 *   clinician's programmer (role clinician) and slot 1 the patient's device (role patient).
 *   Pairing's own threats (T8, T9) rest on Noise and X25519 and are covered by the vectors of
 *   Appendix S; what pairing gives this model is a filled slot.
 * - Lazy payload. The payload of a request (type, commandId, slot field) is chosen when the pump
 *   opens the frame, among every request of the table and one outside it, any commandId, any slot
 *   (see payload()). Choosing it when sealing would give the same runs: nobody else can read or
 *   change it, the device's later steps do not depend on it, and P1 shows that no frame is
 *   opened twice. Both devices may thus send anything: the patient's device is not trusted (T10,
 *   T11, a malicious app), and the programmer's choices include all honest ones of PW-SEC-13
 *   (a new command above the last one, a retransmission with the same commandId, in the same
 *   session or a later one). The session info's lastCommandId is therefore not needed.
 * - Finished sessions. A sender may seal any number of frames in its session, up to the counter
 *   bound (the pump: answers, several memoryDumpChunks, ...). When a sender's session ends, the
 *   model lets it have sealed all its counters (cnt = NCTR): that is a run the model has anyway
 *   (seal them, withheld by the attacker, then end), and it merges states that differ only in how
 *   many frames a finished session had.
 * - Effects of interrogation, prescription, schedule, refill, dump on therapy are not modelled,
 *   only that they are executed; PW-SEC-16 (patient bolus limits) is a nondeterministic grant or
 *   refusal; fragments are not modelled (each fragment is a frame sealed on its own, PW-SEC-9);
 *   logs (section 11, T14) and confidentiality (T1) are not modelled.
 *
 * BOUNDS (the small-scope argument is in README.md)
 *   NSESS  = 3  sessions the pump can start (numbers 1..3; further handshakes are refused)
 *   EPOCHS = 2  sessionEpoch = session number mod 2, standing for mod 256: sessions 1 and 3 share
 *               an epoch but not keys, so the wrap-around is explored
 *   NCTR   = 3  frames per sender per session: counters 0..2, standing for 0..0xffffff; the
 *               sender's counter is then exhausted (PW-SEC-12) and it needs a new session
 *   NCMD   = 2  commandIds 1..2
 *   NATT_CLIN = 2, NATT_PAT = 1  handshake attempts (ephemeral keys) of the programmer and of
 *               the patient's device; the attacker can replay each message 1 any number of times,
 *               so the pump can start sessions for either slot as often as NSESS allows
 *   the attacker's memory and the channel: unbounded (every frame ever sent)
 */

/* ----------------------------------------------------------------------------- bounds */
#ifndef NSESS
#define NSESS   3
#endif
#ifndef EPOCHS
#define EPOCHS  2
#endif
#ifndef NCTR
#define NCTR    3
#endif
#ifndef NCMD
#define NCMD    2
#endif
#ifndef NATT_CLIN
#define NATT_CLIN 2
#endif
#ifndef NATT_PAT
#define NATT_PAT  1
#endif
#define NATT(d)   ((d) == 0 -> NATT_CLIN : NATT_PAT)

#ifndef PROP
#define PROP    0
#endif
#define ON(p)           (PROP == 0 || PROP == (p))
#define PROPERTY(p, c)  assert(!ON(p) || (c))
/* Witnesses: built with -DWITNESSES, each event sets a ghost flag and "ltl wN { [] !reachN }" is
   violated by a run that reaches it (./pan -N wN). Without -DWITNESSES they are nothing. */
#ifdef WITNESSES
#define REACHED(w)      reach##w = 1
#else
#define REACHED(w)      skip
#endif

/* ----------------------------------------------------------------------------- identities */
/* static keys (whose secret made a Noise message) */
#define ID_NONE 0
#define ID_CLIN 1      /* the clinician's programmer */
#define ID_PAT  2      /* the patient's device */
#define ID_PUMP 3
#define ID_ATT  4      /* the attacker's own static key: in no slot */

/* Slots (section 4). Two suffice, one per device; device d (0 the clinician's programmer, 1 the
   patient's device) has static key d + 1 and lives in slot d. */
#define NSLOTS  2
#define S_CLIN  0
#define S_PAT   1
#define NOSLOT  2      /* the pump has no session */

/* roles (section 4) */
#define R_NONE  0      /* empty slot */
#define R_CLIN  1
#define R_PAT   2

/* ----------------------------------------------------------------------------- frames */
#define F_NONE  0      /* no frame (a cleared scratch frame) */
#define F_HS1   1      /* handshakeRequest, pattern 2 (KK message 1) */
#define F_HS2   2      /* handshakeResponse (KK message 2 with the session info) */
#define F_DATA  3      /* a frame of a session: sealed (AUTHENTICATED flag) or not */

#define TOPUMP   0     /* k1: initiator to pump */
#define FROMPUMP 1     /* k2: pump to initiator */

#define JUNK     0     /* the only key id the attacker can tag with */
/* The key id of session s (1..NSESS) of slot sl in direction d (PW-SEC-8). */
#if defined(BROKEN_SHARED_KEY)
#define KEY(s, sl, d)  (2 * (s))
#elif defined(BROKEN_STATIC_KEYS)
#define KEY(s, sl, d)  (2 * (NSESS + 1) + 2 * (sl) + (d))
#else
#define KEY(s, sl, d)  (2 * (s) + (d))
#endif

/* messageType codes of the table of section 9, and one outside it */
#define T_INTERROG 1   /* 0x01 interrogationRequest   clinician, patient           */
#define T_PRESCR   2   /* 0x02 prescriptionBlock      clinician          commandId */
#define T_BSCHED   3   /* 0x03 bolusSchedule          clinician          commandId */
#define T_REFILL   4   /* 0x04 refillConfirmation     clinician          commandId */
#define T_DUMP     5   /* 0x05 memoryDumpRequest      clinician                    */
#define T_PBOLUS   6   /* 0x06 patientBolusRequest    clinician, patient commandId */
#define T_ENROLL  18   /* 0x12 deviceEnrollment       clinician          commandId */
#define T_REVOKE  19   /* 0x13 deviceRevocation       clinician          commandId */
#define T_CLOSE   20   /* 0x14 sessionClose           clinician, patient           */
#define T_OTHER  129   /* 0x81 pumpStatus: not in the table, permitted to no role  */

/* PW-SEC-15, the table of section 9 (deny by default) */
#define CLIN_ONLY(t)  ((t) == T_PRESCR || (t) == T_BSCHED || (t) == T_REFILL || (t) == T_DUMP || \
                       (t) == T_ENROLL || (t) == T_REVOKE)
#define BOTH_ROLES(t) ((t) == T_INTERROG || (t) == T_PBOLUS || (t) == T_CLOSE)
#define PERMITTED(r, t) (((r) == R_CLIN && (CLIN_ONLY(t) || BOTH_ROLES(t))) || \
                         ((r) == R_PAT && BOTH_ROLES(t)))
/* PW-SEC-13: the requests whose payload starts with a commandId */
#define HAS_CMD(t)    ((t) == T_PRESCR || (t) == T_BSCHED || (t) == T_REFILL || (t) == T_PBOLUS || \
                       (t) == T_ENROLL || (t) == T_REVOKE)

/* outcomes of opening a frame, PW-SEC-10 (error codes of section 12) */
#define E_OK        0
#define E_AUTH     96  /* AUTHENTICATION_FAILED */
#define E_REPLAYED 97
#define E_ROLLBACK 98  /* COUNTER_ROLLBACK */
#define E_STALE    99  /* STALE_SESSION */
#define E_NOTSEAL 100  /* NOT_SEALED */

typedef Frame {
    byte kind;     /* F_HS1, F_HS2, F_DATA */
    byte slot;     /* HS1, HS2: the initiator's slot (in the Noise prologue) */
    byte id;       /* HS2: the initiator it answers (its static key, mixed in by KK) */
    byte att;      /* HS1, HS2: the initiator's ephemeral key (attempt number) */
    byte sess;     /* HS2: the session it starts, standing for its split keys */
    byte sealed;   /* DATA: the AUTHENTICATED flag */
    byte epoch;    /* DATA: sessionEpoch of the block; HS2: of the session info */
    byte ctr;      /* DATA: frameCounter of the block */
    byte key;      /* DATA: the tag, as the id of the key that made it (JUNK: the attacker's);
                      HS1, HS2: the static key whose secret made the Noise message */
    byte type;     /* DATA: messageType; in a sealed request, inside the AEAD (lazy payload) */
    byte cmd;      /* DATA: commandId (PW-SEC-13) */
    byte arg;      /* DATA: the slot field of deviceEnrollment and deviceRevocation */
    byte gs;       /* ghost: the session it was sealed in (0: made by the attacker) */
    byte gd;       /* ghost: the direction it was sealed for */
    byte gp;       /* ghost: the party that sealed it (ID_CLIN, ID_PAT, ID_PUMP; 0: the attacker) */
}

inline setf(Xf, Xk, Xsl, Xi, Xa, Xs, Xse, Xep, Xc, Xky, Xt, Xcm, Xar, Xg1, Xg2, Xg3) {
    Xf.kind = Xk; Xf.slot = Xsl; Xf.id = Xi; Xf.att = Xa; Xf.sess = Xs; Xf.sealed = Xse;
    Xf.epoch = Xep; Xf.ctr = Xc; Xf.key = Xky; Xf.type = Xt; Xf.cmd = Xcm; Xf.arg = Xar;
    Xf.gs = Xg1; Xf.gd = Xg2; Xf.gp = Xg3
}
inline clearf(Zf) {
    setf(Zf, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
}

/* ----------------------------------------------------------------------------- the radio */
/* Every frame any party sends goes to the attacker, who keeps them all: the radio is the
   attacker's knowledge. It is not stored as frames but as what determines them:
   - sealed frames: cnt[2 s + d] frames were sealed in session s, direction d, with counters 0 ..
     cnt - 1; the sender's next counter is cnt (PW-SEC-12), so this is also the senders' counter
     (saturated to NCTR when the sender's session ends: "finished sessions" at the top);
   - KK message 1 of device d with ephemeral a: sent for every a <= datt[d];
   - KK message 2 of session s: sent for every s <= sn, answering hsDev[s] with ephemeral hsAtt[s].
   The attacker can deliver any of them, to any party, at any time, any number of times: drop
   (never deliver), delay, reorder, duplicate, replay, reflect, misdirect. */
byte cnt[2 * (NSESS + 1)];
byte hsDev[NSESS + 1];
byte hsAtt[NSESS + 1];

/* Scratch frame: every step (an atomic sequence that never blocks) leaves it cleared, so it adds
   no states. */
Frame rx;                           /* the frame being delivered */

/* ----------------------------------------------------------------------------- the pump */
byte sn = 0;                 /* sessions started, kept across power loss; its epoch is sn % EPOCHS */
byte cur = NOSLOT;           /* slot of the current session, NOSLOT: none */
byte prxh = 0;               /* highest frameCounter accepted from the device in this session + 1, 0: none */
byte slotKey[NSLOTS];        /* static key in each slot, ID_NONE: empty */
byte slotRole[NSLOTS];
byte lastCmd[NSLOTS];        /* PW-SEC-14: highest commandId executed, per slot, kept across power loss */

/* ----------------------------------------------------------------------------- the devices */
byte ds[2];                  /* the device's session (its keys), 0: none */
byte dep[2];                 /* its sessionEpoch, from the session info */
byte drxh[2];                /* highest frameCounter accepted from the pump + 1, 0: none */
byte dpend[2];               /* the ephemeral of a handshake under way, 0: none */
byte datt[2];                /* ephemerals used */

/* ----------------------------------------------------------------------------- ghost state */
byte gaccP;                  /* P1: highest counter + 1 of the frames of the pump's current session
                                and direction TOPUMP that the pump accepted (0: none) */
byte gaccD[2];               /* P1: the same for each device: its session, direction FROMPUMP */
bool revoked[NSLOTS];        /* P4: the slot was revoked and not enrolled again since */
byte gcmd[NSLOTS];           /* P5: highest commandId executed for the slot, across its enrollments */
#ifdef WITNESSES
bit reach1, reach2, reach3, reach4, reach5, reach6, reach7, reach8, reach9, reach10, reach11, reach12;
bit everRevoked;             /* the patient's slot was revoked once */
byte enrollCmds;             /* bit c: commandId c executed for the patient's slot in this enrollment */
byte oldCmds;                /* ... in its enrollment before the last revocation */
byte cmdSess;                /* the session in which the last commandId of the clinician's slot was executed */
ltl w1 { [] !reach1 }        /* the programmer's prescriptionBlock is executed */
ltl w2 { [] !reach2 }        /* the patient's patientBolusRequest is executed */
ltl w3 { [] !reach3 }        /* the patient's device accepts a frame of the pump */
ltl w4 { [] !reach4 }        /* a handshake of the revoked patient's device is refused */
ltl w5 { [] !reach5 }        /* a frame of an earlier session with the current epoch fails at the tag */
ltl w6 { [] !reach6 }        /* the pump accepts a frame in its third session (its epoch has wrapped) */
ltl w7 { [] !reach7 }        /* a frame of an earlier session is refused at step 4 (REPLAYED or
                                COUNTER_ROLLBACK): neither step 3 nor step 5, as section 7 says */
ltl w8 { [] !reach8 }        /* a retransmitted command is refused DUPLICATE_COMMAND in a later session
                                than the one that executed it */
ltl w9 { [] !reach9 }        /* the patient's device, revoked and enrolled again, starts a session */
ltl w10 { [] !reach10 }      /* the pump enrolls the patient's device again after revoking its slot,
                                in which it had executed a commandId (the slot keeps its last
                                commandId, so that commandId is not executed again: README, findings) */
ltl w11 { [] !reach11 }      /* a replayed message 1 (its device no longer waits for that ephemeral)
                                starts a session and so ends the current one */
ltl w12 { [] !reach12 }      /* after w10, the pump executes such a commandId again for the patient's
                                device (found with -DNATT_PAT=2 only, and slowly: not in check.sh) */
#endif
byte outcome;                /* scratch: outcome of PW-SEC-10 */
byte closing;                /* scratch: the pump ends its session after answering */
byte pacc;                   /* scratch: the pump accepted rx (PW-SEC-10) */

/* PW-SEC-10: open frame f. ep: the session's epoch; high: the highest counter accepted + 1 (0:
   none); k: the key expected. (4.2 steps 1 to 8, CRC and framing, are passed by every frame
   here; step 2 of PW-SEC-10, the fragment header, is not modelled: frames are single.) */
inline open(f, ep, high, k) {
    if
    :: f.sealed == 0 -> outcome = E_NOTSEAL                         /* step 1 */
    :: else ->
        if
#ifndef NO_EPOCH_CHECK
        :: f.epoch != ep -> outcome = E_STALE                        /* step 3 */
#endif
        :: else ->
            if
#ifndef BROKEN_NO_COUNTER_CHECK
            :: high != 0 && f.ctr + 1 == high -> outcome = E_REPLAYED   /* step 4 */
            :: high != 0 && f.ctr + 1 < high -> outcome = E_ROLLBACK
#endif
            :: else ->
#ifdef BROKEN_NO_TAG_CHECK
                outcome = E_OK
#else
                if
                :: f.key != k -> outcome = E_AUTH                    /* step 5 */
                :: else -> outcome = E_OK
                fi
#endif
            fi
        fi
    fi
}

/* P1, P2, P3 where a receiver accepts f: d is the direction it accepts, s its session, g its P1
   ghost. P1 is checked as "within the receiver's session, each frame it accepts of that session
   and direction has a counter above every one it accepted before": so no frame is accepted twice
   in its session (nor after a later one, G3). A frame accepted outside its own session, or of the
   wrong direction, is a P3 or P2 violation, checked at the same place: together, no frame
   (session, direction, counter) is ever accepted twice. */
inline accepted(f, d, s, g) {
    PROPERTY(2, f.gs != 0 && f.gd == d);     /* sealed by a party, by the peer: not reflected, not forged */
    PROPERTY(3, f.gs == s);                  /* of the receiver's current session */
    if
    :: f.gs == s && f.gd == d ->
        PROPERTY(1, f.ctr + 1 > g);
        g = f.ctr + 1
    :: else -> skip
    fi
}

/* The pump ends its session and erases its keys (PW-SEC-19). */
inline end_session() {
    cnt[2 * sn + FROMPUMP] = NCTR;       /* saturated: see "finished sessions" at the top */
    cur = NOSLOT; prxh = 0; gaccP = 0
}

/* The pump executes rx (P4 and P5 where a request is executed). */
inline execute() {
    PROPERTY(4, PERMITTED(slotRole[cur], rx.type));
    PROPERTY(4, !(rx.gp == ID_PAT && CLIN_ONLY(rx.type)));
    PROPERTY(4, !revoked[cur]);
    if
    :: HAS_CMD(rx.type) ->
        PROPERTY(5, rx.cmd > gcmd[cur]);     /* increasing, so never the same commandId twice */
        gcmd[cur] = rx.cmd;
        lastCmd[cur] = rx.cmd;
#ifdef WITNESSES
        if :: cur == S_CLIN -> cmdSess = sn :: else -> skip fi;
        if
        :: cur == S_PAT ->
            if :: (oldCmds >> rx.cmd) & 1 -> REACHED(12) :: else -> skip fi;
            enrollCmds = enrollCmds | (1 << rx.cmd)
        :: else -> skip
        fi;
#endif
    :: else -> skip
    fi;
    if
    :: rx.type == T_PRESCR && rx.gp == ID_CLIN -> REACHED(1)
    :: rx.type == T_PBOLUS && rx.gp == ID_PAT -> REACHED(2)
    :: else -> skip
    fi
}

/* Lazy payload: the payload of a request a device sealed (type, commandId, slot field) is chosen
   here, when the pump first opens the frame, among all requests of the table and one outside it,
   with any commandId and any slot. Sealing it earlier would give the same runs: nobody else can
   read or change it (AEAD), the device's later steps do not depend on it, and P1 with P3 shows
   that no frame is opened twice. Both devices may send anything: the patient's device is not trusted
   (T10, T11), and the programmer's choices include every honest one of PW-SEC-13 (a new command
   above the last, a retransmission with the same commandId). The lastCommandId of the session
   info is therefore not needed by the devices, and not modelled. */
inline pick_cmd() {
    if
    :: rx.cmd = 1
#if NCMD >= 2
    :: rx.cmd = 2
#endif
#if NCMD >= 3
    :: rx.cmd = 3
#endif
    fi
}
inline pick_slot() {
    if :: rx.arg = S_CLIN :: rx.arg = S_PAT fi
}
inline payload() {
    rx.cmd = 0; rx.arg = 0;
    if
    :: rx.type = T_INTERROG
    :: rx.type = T_PRESCR; pick_cmd()
    :: rx.type = T_BSCHED; pick_cmd()
    :: rx.type = T_REFILL; pick_cmd()
    :: rx.type = T_DUMP
    :: rx.type = T_PBOLUS; pick_cmd()
    :: rx.type = T_ENROLL; pick_cmd(); pick_slot()
    :: rx.type = T_REVOKE; pick_cmd(); pick_slot()
    :: rx.type = T_CLOSE
    :: rx.type = T_OTHER
    fi
}

/* The pump receives rx, in two parts: pump_open, deterministic (a d_step: one transition), runs
   the handshake and the checks of PW-SEC-10 and, if the frame is accepted, sets pacc; then
   pump_request decodes and executes it (nondeterministic: the lazy payload, PW-SEC-16). */
inline pump_open() {
    if
    /* ---- a session handshake, message 1 (section 6, PW-SEC-7, PW-SEC-8) */
    :: rx.kind == F_HS1 ->
        if
        :: rx.slot < NSLOTS && slotKey[rx.slot] != ID_NONE && slotKey[rx.slot] == rx.key &&
           sn < NSESS ->
            PROPERTY(4, !revoked[rx.slot]);         /* a revoked slot never starts a session */
#ifdef WITNESSES
            if :: rx.slot == S_PAT && everRevoked -> REACHED(9) :: else -> skip fi;
            if :: cur != NOSLOT && dpend[rx.slot] != rx.att -> REACHED(11) :: else -> skip fi;
#endif
            if
            :: cur != NOSLOT -> end_session()       /* ends the previous session, whatever its slot */
            :: else -> skip
            fi;
            sn++;
            cur = rx.slot; prxh = 0; gaccP = 0;
#ifdef BROKEN_CMDID_PER_SESSION
            lastCmd[cur] = 0;
#endif
            /* message 2 with the session info (its lastCommandId is not modelled) */
            hsDev[sn] = rx.key; hsAtt[sn] = rx.att
        :: else ->
            /* HANDSHAKE_FAILED (unsealed, not modelled), or the model's bound on sessions */
            if
            :: rx.key == ID_PAT && revoked[S_PAT] -> REACHED(4)
            :: else -> skip
            fi
        fi
    /* ---- a frame of a session (PW-SEC-2, PW-SEC-10, PW-SEC-11) */
    :: rx.kind == F_DATA && cur == NOSLOT ->
        skip        /* no session: AUTHENTICATION_REQUIRED if unsealed; cannot be opened if sealed */
    :: rx.kind == F_DATA && cur != NOSLOT ->
        open(rx, sn % EPOCHS, prxh, KEY(sn, cur, TOPUMP));
        if
        :: (outcome == E_REPLAYED || outcome == E_ROLLBACK) && rx.gs != 0 && rx.gs != sn && rx.gd == TOPUMP -> REACHED(7)
        :: else -> skip
        fi;
        if
        :: outcome == E_AUTH && rx.gs != 0 && rx.gs != sn && rx.gd == TOPUMP && rx.gs % EPOCHS == sn % EPOCHS -> REACHED(5)
        :: else -> skip
        fi;
        if
        :: outcome != E_OK -> skip                  /* dropped silently and logged, PW-SEC-11 */
        :: outcome == E_OK ->
            accepted(rx, TOPUMP, sn, gaccP);
            if :: sn == 3 -> REACHED(6) :: else -> skip fi;
            prxh = rx.ctr + 1;
            pacc = 1
        fi
    :: else -> skip                                 /* HS2 to the pump: out of order */
    fi;
    outcome = 0;
    if :: pacc == 0 -> clearf(rx) :: else -> skip fi
}

inline pump_request() {
    closing = 0;
    if
    :: rx.gs != 0 -> payload()
    :: else -> skip                         /* made by the attacker (broken models only) */
    fi;
    /* decode, role (PW-SEC-15), commandId (PW-SEC-14), then the message's own rules */
    if
#ifndef BROKEN_NO_ROLE_CHECK
    :: !PERMITTED(slotRole[cur], rx.type) -> skip                        /* ROLE_NOT_PERMITTED */
    :: PERMITTED(slotRole[cur], rx.type) && HAS_CMD(rx.type) && rx.cmd <= lastCmd[cur] ->
                                                                  /* DUPLICATE_COMMAND */
#ifdef WITNESSES
        if :: cur == S_CLIN && rx.cmd == lastCmd[cur] && cmdSess < sn -> REACHED(8) :: else -> skip fi
#else
        skip
#endif
    :: PERMITTED(slotRole[cur], rx.type) && !(HAS_CMD(rx.type) && rx.cmd <= lastCmd[cur]) ->
#else
    :: HAS_CMD(rx.type) && rx.cmd <= lastCmd[cur] -> skip
    :: !(HAS_CMD(rx.type) && rx.cmd <= lastCmd[cur]) ->
#endif
        if
        :: rx.type == T_REVOKE ->                                 /* PW-SEC-18 */
            if
            :: rx.arg == cur || slotKey[rx.arg] == ID_NONE -> skip  /* NOT_PERMITTED */
            :: else ->
                execute();
#ifndef BROKEN_REVOKE_KEEPS_KEY
                slotKey[rx.arg] = ID_NONE;
#endif
                slotRole[rx.arg] = R_NONE;
#ifdef BROKEN_REVOKE_ERASES_CMDID
                lastCmd[rx.arg] = 0;    /* the draft's PW-SEC-18, before the model's finding */
#endif
                revoked[rx.arg] = true;   /* the last commandId is kept (PW-SEC-18) */
#ifdef WITNESSES
                if :: rx.arg == S_PAT -> everRevoked = 1; oldCmds = enrollCmds; enrollCmds = 0 :: else -> skip fi;
#endif
                skip
            fi
        :: rx.type == T_ENROLL ->                                 /* PW-SEC-17 */
            if
            :: slotKey[rx.arg] != ID_NONE -> skip                 /* NOT_PERMITTED */
            :: else ->
                execute();
                /* the clinician enrolls the patient's device (again) */
#ifdef WITNESSES
                if :: rx.arg == S_PAT && oldCmds != 0 -> REACHED(10) :: else -> skip fi;
#endif
                slotKey[rx.arg] = ID_PAT; slotRole[rx.arg] = R_PAT;
                revoked[rx.arg] = false
            fi
        :: rx.type == T_PBOLUS ->                                 /* PW-SEC-16 */
            if
            :: execute()
            :: skip         /* refused: dose, count or lockout; not executed */
            fi
        :: rx.type == T_CLOSE ->                                  /* PW-SEC-19 */
            execute(); closing = 1
        :: else -> execute()
        fi
    fi;
    /* The answer is sealed by the pump's own step below, when it likes (answers, dump
       chunks); sessionClose: its acknowledgement is sealed and the session ends. */
    if :: closing != 0 -> end_session() :: else -> skip fi;
    d_step { clearf(rx); pacc = 0; closing = 0 }
}

/* Device d receives rx. */
inline device_receive(d) {
    if
    :: rx.kind == F_HS2 ->
        if
        :: dpend[d] != 0 && rx.key == ID_PUMP && rx.id == d + 1 && rx.att == dpend[d] ->
            ds[d] = rx.sess; dep[d] = rx.epoch; drxh[d] = 0; dpend[d] = 0;
            gaccD[d] = 0
        :: else -> skip            /* not the pump's, not for this ephemeral, or not expected */
        fi
    :: rx.kind == F_DATA && ds[d] != 0 ->
        open(rx, dep[d], drxh[d], KEY(ds[d], d, FROMPUMP));
        if
        :: outcome == E_OK ->
            accepted(rx, FROMPUMP, ds[d], gaccD[d]);
            if :: d == S_PAT -> REACHED(3) :: else -> skip fi;
            drxh[d] = rx.ctr + 1
        :: else -> skip            /* reported to the user, PW-SEC-11 */
        fi
    :: else -> skip
    fi;
    outcome = 0
}

/* ============================================================================= processes */
/* Each process is a loop that may stop anywhere at its top (end: a valid end state): when the
   bounds are used up (every session started, every ephemeral used), everything stops. */
active proctype Pump() {
end:
    do
    /* seal a frame to the device with the next counter (PW-SEC-9, PW-SEC-12): an answer, or one of
       the memoryDumpChunks that answer a memoryDumpRequest */
    :: atomic { cur != NOSLOT && cnt[2 * sn + FROMPUMP] < NCTR -> cnt[2 * sn + FROMPUMP]++ }
    /* end the session: idle for 10 minutes, a restart, or its counter exhausted (PW-SEC-19) */
    :: atomic { cur != NOSLOT -> end_session() }
    od
}

proctype Device(byte d) {
end:
    do
    /* start a session: KK message 1 with a fresh ephemeral */
    :: atomic { ds[d] == 0 && dpend[d] == 0 && datt[d] < NATT(d) ->
        datt[d]++; dpend[d] = datt[d] }
    /* give up a handshake (timeout, or a HANDSHAKE_FAILED answer) */
    :: atomic { dpend[d] != 0 -> dpend[d] = 0 }
    /* end the session: sessionClose answered, idle, counter exhausted, or the user */
    :: atomic { ds[d] != 0 ->
        cnt[2 * ds[d] + TOPUMP] = NCTR;       /* saturated: see "finished sessions" at the top */
        ds[d] = 0; dep[d] = 0; drxh[d] = 0; gaccD[d] = 0 }
    /* send a request, sealed with k1 and the next counter (PW-SEC-9, PW-SEC-12); its payload is
       chosen when the pump opens it (lazy payload) */
    :: atomic { ds[d] != 0 && cnt[2 * ds[d] + TOPUMP] < NCTR -> cnt[2 * ds[d] + TOPUMP]++ }
    od
}

/* ============================================================================= the attacker */
/* Dolev-Yao over the radio: it has every frame ever sent and delivers any of them, to any party,
   at any time, any number of times (drop, delay, reorder, duplicate, replay, reflect, misdirect),
   and makes frames of its own with any header fields, tagged JUNK (it holds no session key) or
   made with its own static key.
   Delivering a frame: the attacker builds rx (B) if G holds, and the receiver handles it, in the
   same step. A d_step is one transition, so a rejected frame costs one; a frame the pump accepts
   goes on (atomically) to pump_request, which is nondeterministic (lazy payload, PW-SEC-16).
   Deliveries that a receiver certainly ignores are left out, to save time (they change nothing):
   a session frame to a party without a session, message 1 to a pump that has started its last
   session (the model's bound), message 2 to a device that has no handshake under way. */
#define TO_PUMP(G, B) \
    :: atomic { d_step { G -> B; pump_open() }; if :: pacc != 0 -> goto request :: else -> skip fi }
#ifdef BROKEN_NO_TAG_CHECK
#define TO_PUMP_REJECTED(G, B) TO_PUMP(G, B)
#else
#define TO_PUMP_REJECTED(G, B) \
    :: d_step { G -> B; pump_open(); assert(pacc == 0) }
#endif
#define TO_DEV(d, G, B) \
    :: d_step { G -> B; device_receive(d); clearf(rx) }
#define PUMP_LISTENS   (cur != NOSLOT)
#define PUMP_HS        (sn < NSESS)
#define DEV_LISTENS(d) (ds[d] != 0)
#define DEV_HS(d)      (dpend[d] != 0)

/* The sealed frame (s, d, c), exactly as its sender sealed it: the key of session s of its slot
   in direction d (PW-SEC-8, PW-SEC-9). */
inline sealed_frame(s, d, c) {
    setf(rx, F_DATA, 0, 0, 0, 0, 1, (s) % EPOCHS, c, KEY(s, hsDev[s] - 1, d), 0, 0, 0, s, d, ID_PUMP);
    if :: (d) == TOPUMP -> rx.gp = hsDev[s] :: else -> skip fi
}
#define KNOWN(s, d, c) \
    TO_PUMP(cnt[2 * (s) + (d)] > (c) && PUMP_LISTENS, sealed_frame(s, d, c)) \
    TO_DEV(0, cnt[2 * (s) + (d)] > (c) && DEV_LISTENS(0), sealed_frame(s, d, c)) \
    TO_DEV(1, cnt[2 * (s) + (d)] > (c) && DEV_LISTENS(1), sealed_frame(s, d, c))
#if NCTR == 2
#define KNOWN_DIR(s, d) KNOWN(s, d, 0) KNOWN(s, d, 1)
#elif NCTR == 3
#define KNOWN_DIR(s, d) KNOWN(s, d, 0) KNOWN(s, d, 1) KNOWN(s, d, 2)
#else
#define KNOWN_DIR(s, d) KNOWN(s, d, 0) KNOWN(s, d, 1) KNOWN(s, d, 2) KNOWN(s, d, 3)
#endif
#define KNOWN_SESSION(s) KNOWN_DIR(s, TOPUMP) KNOWN_DIR(s, FROMPUMP)

/* KK message 1 of the device in slot sl with ephemeral a, made with static key k */
inline hs1(sl, a, k) {
    setf(rx, F_HS1, sl, 0, a, 0, 0, 0, 0, k, 0, 0, 0, 0, 0, 0)
}
/* an unsealed request made by the attacker */
inline unsealed() {
    setf(rx, F_DATA, 0, 0, 0, 0, 0, 0, 0, JUNK, T_PRESCR, NCMD, 0, 0, 0, 0)
}
/* KK message 2 for the pending ephemeral of device d, made with the attacker's key */
inline forged_hs2(d) {
    setf(rx, F_HS2, d, d + 1, dpend[d], 1, 0, 1, 0, ID_ATT, 0, 0, 0, 0, 0, 0)
}
/* a sealed frame made by the attacker: epoch e, the highest counter, a JUNK tag */
inline forged(e) {
    setf(rx, F_DATA, 0, 0, 0, 0, 1, e, NCTR - 1, JUNK, T_PRESCR, NCMD, 0, 0, 0, 0)
}

/* KK message 2 of session s */
inline hs2(s) {
    setf(rx, F_HS2, hsDev[s] - 1, hsDev[s], hsAtt[s], s, 0, (s) % EPOCHS, 0, ID_PUMP, 0, 0, 0, 0, 0, 0)
}

active proctype Attacker() {
end:
    do
    /* any sealed frame sent so far: session s, direction d, counter c */
    KNOWN_SESSION(1)
#if NSESS >= 2
    KNOWN_SESSION(2)
#endif
#if NSESS >= 3
    KNOWN_SESSION(3)
#endif
#if NSESS >= 4
    KNOWN_SESSION(4)
#endif
    /* any KK message 1 sent so far, to the pump (devices ignore it) */
    /* (message 1 only starts a session: it is never "accepted" as a request) */
    TO_PUMP_REJECTED(datt[0] >= 1 && PUMP_HS, hs1(S_CLIN, 1, ID_CLIN))
    TO_PUMP_REJECTED(datt[0] >= 2 && PUMP_HS, hs1(S_CLIN, 2, ID_CLIN))
    TO_PUMP_REJECTED(datt[0] >= 3 && PUMP_HS, hs1(S_CLIN, 3, ID_CLIN))
    TO_PUMP_REJECTED(datt[1] >= 1 && PUMP_HS, hs1(S_PAT, 1, ID_PAT))
    TO_PUMP_REJECTED(datt[1] >= 2 && PUMP_HS, hs1(S_PAT, 2, ID_PAT))
    TO_PUMP_REJECTED(datt[1] >= 3 && PUMP_HS, hs1(S_PAT, 3, ID_PAT))
    /* any KK message 2 sent so far, to either device (the pump ignores it) */
    TO_DEV(0, sn >= 1 && DEV_HS(0), hs2(1))
    TO_DEV(1, sn >= 1 && DEV_HS(1), hs2(1))
#if NSESS >= 2
    TO_DEV(0, sn >= 2 && DEV_HS(0), hs2(2))
    TO_DEV(1, sn >= 2 && DEV_HS(1), hs2(2))
#endif
#if NSESS >= 3
    TO_DEV(0, sn >= 3 && DEV_HS(0), hs2(3))
    TO_DEV(1, sn >= 3 && DEV_HS(1), hs2(3))
#endif
#if NSESS >= 4
    TO_DEV(0, sn >= 4 && DEV_HS(0), hs2(4))
    TO_DEV(1, sn >= 4 && DEV_HS(1), hs2(4))
#endif
    /* a frame of its own. The checks of PW-SEC-10 look at the flag, the epoch, the counter and
       the key only, and a JUNK tag fails step 5 whatever the rest, so one payload (the most
       dangerous request, a prescription with the highest commandId) and the highest counter (the
       one most likely to pass step 4) stand for all; epochs 0 and 1 are all the epochs of the
       model (EPOCHS = 2). Such a frame is never accepted (TO_PUMP_REJECTED asserts it), except in
       the variant BROKEN_NO_TAG_CHECK. */
    TO_PUMP_REJECTED(PUMP_LISTENS, unsealed())
    TO_PUMP_REJECTED(PUMP_LISTENS, forged(0))
    TO_PUMP_REJECTED(PUMP_LISTENS, forged(1))
    TO_DEV(0, DEV_LISTENS(0), forged(0))
    TO_DEV(0, DEV_LISTENS(0), forged(1))
    TO_DEV(1, DEV_LISTENS(1), forged(0))
    TO_DEV(1, DEV_LISTENS(1), forged(1))
    /* KK message 1 for a slot, made with the attacker's static key */
    TO_PUMP_REJECTED(PUMP_HS, hs1(S_CLIN, 1, ID_ATT))
    TO_PUMP_REJECTED(PUMP_HS, hs1(S_PAT, 1, ID_ATT))
    /* KK message 2 for a device's pending ephemeral, not made with the pump's key */
    TO_DEV(0, DEV_HS(0), forged_hs2(0))
    TO_DEV(1, DEV_HS(1), forged_hs2(1))
    od;
    /* The pump decodes and executes the request it accepted, still in the same step: the label is
       inside the atomic sequence (never entered from its start, "false"), so the jump keeps
       atomicity. */
    atomic { false; request: pump_request(); goto end }
}

init {
    atomic {
        /* after pairing (slot 0) and the enrollment of the patient's device (slot 1) */
        slotKey[S_CLIN] = ID_CLIN; slotRole[S_CLIN] = R_CLIN;
        slotKey[S_PAT] = ID_PAT; slotRole[S_PAT] = R_PAT;
        run Device(0);
        run Device(1)
    }
}
