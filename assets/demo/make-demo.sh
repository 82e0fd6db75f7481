#!/usr/bin/env bash
# make-demo.sh - regenerate the bundled callqa demo batch (batch format v1).
#
# Writes, next to this script:
#   calls.csv, crm/{contacts,deals,tasks,notes}.csv   (CSV text is below)
#   recordings/call-00N.{wav,mp3,flac,ogg}             (from script/call-00N.txt)
#   transcripts/call-00N.txt                           (who said what, with times)
# Everything is rebuilt from scratch on every run; the output is deterministic
# (sox runs with -R, ffmpeg with bitexact flags), so running it twice with the
# same package versions gives the same files.
#
# Debian packages it needs:
#   sox                              (WAV PCM, mu-law, A-law, FLAC; mixing, effects)
#   ffmpeg                           (MP3 via libmp3lame, Ogg Vorbis via libvorbis, ffprobe)
#   festival festvox-ru              (Russian voice msu_ru_nsh_clunits)
#   festvox-kallpc16k                (English male voice kal_diphone)
#   festvox-us-slt-hts               (English female voice cmu_us_slt_arctic_hts)
#   asterisk-core-sounds-ru-wav asterisk-core-sounds-en-wav  (IVR prompts)
# i.e.
#   apt-get install sox ffmpeg festival festvox-ru festvox-kallpc16k \
#     festvox-us-slt-hts asterisk-core-sounds-ru-wav asterisk-core-sounds-en-wav
#
# Usage: assets/demo/make-demo.sh        (from anywhere)
#        assets/demo/make-demo.sh --derived-only
#          (only call-008..010, cut from the recordings already there; needs
#          sox and ffmpeg, not Festival)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SCRIPT_DIR=$HERE/script
PROMPTS=${ASTERISK_SOUNDS:-/usr/share/asterisk/sounds}
RATE=8000
# Repeatable random seeds (noise) and no dither: the same input gives the same output.
export SOX_OPTS="-R -D -V1"
FF=(ffmpeg -hide_banner -loglevel error -nostdin -y)
FFBITEXACT=(-fflags +bitexact -flags:a +bitexact -map_metadata -1)

die() { echo "make-demo: $*" >&2; exit 1; }

NEEDED=(sox soxi ffmpeg ffprobe awk)
[[ ${1:-} == --derived-only ]] || NEEDED+=(text2wave)
for cmd in "${NEEDED[@]}"; do
  command -v "$cmd" >/dev/null || die "missing command '$cmd' (see the package list at the top)"
done
[[ ${1:-} == --derived-only || ( -d $PROMPTS/ru && -d $PROMPTS/en ) ]] || die "Asterisk prompts not found under $PROMPTS"

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# ---------------------------------------------------------------- helpers --

# Seconds (float) -> samples at $RATE.
samples() { awk -v s="$1" -v r="$RATE" 'BEGIN { printf "%d", s * r + 0.5 }'; }
# Samples -> "mm:ss.s".
stamp() { awk -v n="$1" -v r="$RATE" 'BEGIN { s = n / r; printf "%02d:%04.1f", int(s / 60), s - 60 * int(s / 60) }'; }

# Silence of N samples -> file.
# (-r/-c go before -n: options before a file name belong to that file.)
silence() { sox -r "$RATE" -c 1 -n -b 16 -e signed-integer "$2" trim 0 "${1}s"; }

# A tone pattern: tone ON OFF COUNT FREQ out.wav
tone() {
  local on=$1 off=$2 count=$3 freq=$4 out=$5 i parts=()
  sox -r "$RATE" -c 1 -n -b 16 "$WORK/tone-on.wav" synth "$on" sine "$freq" vol 0.18 fade 0.01 "$on" 0.01
  sox -r "$RATE" -c 1 -n -b 16 "$WORK/tone-off.wav" trim 0 "$off"
  for ((i = 0; i < count; i++)); do parts+=("$WORK/tone-on.wav" "$WORK/tone-off.wav"); done
  sox "${parts[@]}" "$out"
}

# Text as Festival should see it: no guillemets/dashes/colons (the Russian
# voice stops on characters it has no letter-to-sound rule for).
tts_text() {
  local lang=$1 text=$2
  text=$(printf '%s' "$text" | sed -e 's/[«»"“”]//g' -e 's/[—–:;()]/,/g')
  if [[ $lang == ru ]] && printf '%s' "$text" | grep -q '[A-Za-z0-9]'; then
    die "Russian line has Latin letters or digits (write them as words): $2"
  fi
  printf '%s\n' "$text"
}

# Speak a line: tts LANG VOICE "FX" TEXT out.wav  (8 kHz mono 16-bit, trimmed, telephone band)
tts() {
  local lang=$1 voice=$2 fx=$3 text=$4 out=$5
  tts_text "$lang" "$text" > "$WORK/line.txt"
  rm -f "$WORK/line-raw.wav"
  text2wave -eval "(voice_$voice)" "$WORK/line.txt" -o "$WORK/line-raw.wav" 2> "$WORK/tts.err" || true
  [[ -s $WORK/line-raw.wav ]] || die "festival ($voice) failed on: $text: $(head -c 300 "$WORK/tts.err")"
  # A letter without a pronunciation rule is skipped silently apart from this warning.
  ! grep -q LTS_Ruleset "$WORK/tts.err" || die "festival ($voice) could not read all of: $text"
  # shellcheck disable=SC2086  # fx is a list of sox effects
  sox "$WORK/line-raw.wav" -c 1 -b 16 -e signed-integer "$out" \
    $fx sinc 300-3400 rate "$RATE" \
    silence 1 0.02 0.3% reverse silence 1 0.02 0.3% reverse \
    norm -4 pad 0.05 0.05
}

# What the transcript says for an Asterisk prompt.
prompt_text() {
  case $1 in
    en/queue-periodic-announce) echo '"All representatives are currently busy assisting other callers. Please wait for the next available representative."' ;;
    ru/queue-periodic-announce) echo '(Russian version of "All representatives are currently busy assisting other callers. Please wait for the next available representative.")' ;;
    *) echo "($1)" ;;
  esac
}

format_label() {
  case $1 in
    wav-pcm16) echo "WAV PCM 16-bit" ;;
    wav-ulaw) echo "WAV G.711 mu-law" ;;
    wav-alaw) echo "WAV G.711 A-law" ;;
    mp3) echo "MP3" ;;
    flac) echo "FLAC 16-bit" ;;
    ogg) echo "Ogg Vorbis" ;;
    *) die "unknown format $1" ;;
  esac
}
format_ext() {
  case $1 in
    wav-*) echo wav ;;
    mp3 | flac | ogg) echo "$1" ;;
    *) die "unknown format $1" ;;
  esac
}

# Encode the 16-bit PCM master into the call's delivery format.
encode() {
  local format=$1 channels=$2 in=$3 out=$4
  case $format in
    wav-pcm16) sox "$in" -e signed-integer -b 16 "$out" ;;
    wav-ulaw) sox "$in" -e u-law -b 8 "$out" ;;
    wav-alaw) sox "$in" -e a-law -b 8 "$out" ;;
    flac) sox "$in" -b 16 -C 8 "$out" ;;
    mp3)
      local br=24k; [[ $channels == 2 ]] && br=32k
      "${FF[@]}" -i "$in" "${FFBITEXACT[@]}" -ar "$RATE" -c:a libmp3lame -b:a "$br" "$out" ;;
    ogg) "${FF[@]}" -i "$in" "${FFBITEXACT[@]}" -ar "$RATE" -c:a libvorbis -q:a 2 "$out" ;;
  esac
}

# Pauses between turns cycle through these (seconds), so the talk does not tick like a clock.
GAPS=(0.55 0.7 0.45 0.9 0.6 0.5 0.8 0.65)

# --------------------------------------------------------- build one call --

build_call() {
  local id=$1 src=$SCRIPT_DIR/$1.txt
  [[ -f $src ]] || die "no dialogue $src"
  local w=$WORK/$id
  mkdir -p "$w"
  local format="" channels=1 lang="" rep="" client="" about=""
  local -A VOICE=() FX=()
  local -a SEG_FILE=() SEG_CH=()
  local pos=0 n=0 turns=0 gi=0 in_about=1 line key val spk text f ch len what fx_rest
  : > "$w/lines"

  add_seg() { # file channel
    SEG_FILE+=("$1"); SEG_CH+=("$2")
    pos=$((pos + $(soxi -s "$1")))
  }

  while IFS= read -r line || [[ -n $line ]]; do
    line=${line%$'\r'}
    case $line in
      '') continue ;;
      '#'*)
        # The leading comment block (up to a bare '#') describes the call.
        if [[ $line == '#' ]]; then in_about=0
        elif ((in_about)); then
          text=${line#\#}; text=${text# }
          if [[ -z $about ]]; then about=${text#"$id - "}; else about+=" $text"; fi
        fi ;;
      @*) in_about=0 ;;&
      @voice\ *)
        read -r _ spk val fx_rest <<< "$line"
        VOICE[$spk]=$val; FX[$spk]=${fx_rest:-} ;;
      @*)
        key=${line%% *}; val=${line#* }
        case $key in
          @format) format=$val ;; @channels) channels=$val ;; @lang) lang=$val ;;
          @rep) rep=$val ;; @client) client=$val ;;
          *) die "$id: unknown setting $key" ;;
        esac ;;
      PROMPT\ *)
        read -r _ what ch <<< "$line"
        f=$w/seg$((n++)).wav
        [[ -f $PROMPTS/$what.wav ]] || die "$id: no prompt $PROMPTS/$what.wav"
        sox "$PROMPTS/$what.wav" -c 1 -b 16 -e signed-integer "$f" rate "$RATE" sinc 300-3400 norm -5
        printf '[%s] IVR (Asterisk prompt %s): %s\n' "$(stamp "$pos")" "$what" "$(prompt_text "$what")" >> "$w/lines"
        add_seg "$f" "${ch:-L}" ;;
      RING\ *)
        read -r _ val ch <<< "$line"
        f=$w/seg$((n++)).wav
        tone 1.0 2.5 "$val" 425 "$f"
        printf '[%s] (ringback tone, %s ring%s)\n' "$(stamp "$pos")" "$val" "$([[ $val == 1 ]] || echo s)" >> "$w/lines"
        add_seg "$f" "${ch:-L}" ;;
      BUSY\ *)
        read -r _ val ch <<< "$line"
        f=$w/seg$((n++)).wav
        tone 0.35 0.35 "$val" 425 "$f"
        printf '[%s] (busy tone: the line is closed)\n' "$(stamp "$pos")" >> "$w/lines"
        add_seg "$f" "${ch:-L}" ;;
      PAUSE\ *)
        read -r _ val <<< "$line"
        f=$w/seg$((n++)).wav
        silence "$(samples "$val")" "$f"
        printf '[%s] (silence, %s s)\n' "$(stamp "$pos")" "$val" >> "$w/lines"
        add_seg "$f" B ;;
      R:* | C:*)
        spk=${line%%:*}; text=${line#*:}; text=${text# }
        [[ -n ${VOICE[$spk]:-} ]] || die "$id: no @voice for $spk"
        if ((turns > 0)); then
          f=$w/seg$((n++)).wav
          silence "$(samples "${GAPS[gi++ % ${#GAPS[@]}]}")" "$f"
          add_seg "$f" B
        fi
        turns=$((turns + 1))
        f=$w/seg$((n++)).wav
        tts "$lang" "${VOICE[$spk]}" "${FX[$spk]}" "$text" "$f"
        if [[ $spk == R ]]; then
          printf '[%s] %s (rep): %s\n' "$(stamp "$pos")" "$rep" "$text" >> "$w/lines"
          add_seg "$f" L
        else
          printf '[%s] %s (client): %s\n' "$(stamp "$pos")" "$client" "$text" >> "$w/lines"
          add_seg "$f" R
        fi ;;
      *) die "$id: cannot read line: $line" ;;
    esac
  done < "$src"
  [[ -n $format && -n $lang && -n $rep && -n $client ]] || die "$id: @format, @lang, @rep and @client are required"

  # A little trailing air after the last event.
  f=$w/seg$((n++)).wav; silence "$(samples 0.4)" "$f"; add_seg "$f" B

  # Two tracks of equal length: L = rep/PBX side, R = client side.
  local -a left=() right=()
  local i
  for i in "${!SEG_FILE[@]}"; do
    f=${SEG_FILE[$i]}
    case ${SEG_CH[$i]} in
      B) left+=("$f"); right+=("$f") ;;
      L) silence "$(soxi -s "$f")" "$f.mute.wav"; left+=("$f"); right+=("$f.mute.wav") ;;
      R) silence "$(soxi -s "$f")" "$f.mute.wav"; left+=("$f.mute.wav"); right+=("$f") ;;
    esac
  done
  sox "${left[@]}" "$w/L.wav"
  sox "${right[@]}" "$w/R.wav"
  len=$(soxi -s "$w/L.wav")
  [[ $len == "$(soxi -s "$w/R.wav")" && $len == "$pos" ]] || die "$id: track lengths differ"

  # Faint line noise, so pauses sound like an open line rather than digital zero.
  sox -r "$RATE" -c 1 -n -b 16 "$w/noise.wav" synth "${len}s" pinknoise vol 0.0006 sinc 300-3400
  if [[ $channels == 2 ]]; then
    sox "$w/noise.wav" "$w/noise-r.wav" reverse
    sox -m -v 1 "$w/L.wav" -v 1 "$w/noise.wav" "$w/Ln.wav"
    sox -m -v 1 "$w/R.wav" -v 1 "$w/noise-r.wav" "$w/Rn.wav"
    sox -M "$w/Ln.wav" "$w/Rn.wav" -b 16 "$w/master.wav"
  else
    sox -m -v 1 "$w/L.wav" -v 1 "$w/R.wav" -v 1 "$w/noise.wav" -b 16 "$w/master.wav"
  fi

  local ext out
  ext=$(format_ext "$format")
  out=recordings/$id.$ext
  encode "$format" "$channels" "$w/master.wav" "$HERE/$out"

  local secs chdesc
  secs=$(awk -v n="$len" -v r="$RATE" 'BEGIN { printf "%.1f", n / r }')
  if [[ $channels == 2 ]]; then chdesc="stereo (left: rep and PBX, right: client)"; else chdesc=mono; fi
  {
    echo "$id - transcript of $out"
    echo "Recording: $(format_label "$format"), $RATE Hz, $chdesc, $secs s"
    echo "Language: $lang"
    echo "Rep: $rep. Client: $client."
    echo "What it shows: $about"
    echo "Generated by make-demo.sh from script/$id.txt (speech synthesis; times are approximate to 0.1 s)."
    echo
    cat "$w/lines"
  } > "$HERE/transcripts/$id.txt"
  printf '%-9s %-18s %-4s %6s s  %s\n' "$id" "$(format_label "$format")" "$lang" "$secs" "$out"
}

# ------------------------------------------------------------------- CSVs --

write_csvs() {
  cat > "$HERE/calls.csv" << 'CSV'
call_id,started_at,rep,direction,phone,recording,contact_id,deal_id,script,channel_layout
call-001,2026-11-23T10:15:00+03:00,Анна Смирнова,in,+79160000101,recordings/call-001.wav,K-101,D-201,inbound-v2,mono
call-002,2026-11-23T14:40:00+03:00,Игорь Петров,out,+78312000102,recordings/call-002.mp3,K-102,D-202,,mono
call-003,2026-11-24T11:05:00+03:00,Kate Miller,out,+358401000103,recordings/call-003.flac,K-103,D-203,,rep-left
call-004,2026-11-24T16:20:00+03:00,Игорь Петров,in,+79030000104,recordings/call-004.wav,K-104,,inbound-v2,mono
call-005,2026-11-25T12:30:00+03:00,Анна Смирнова,out,+78612000105,recordings/call-005.ogg,K-105,D-205,,mono
call-006,2026-11-26T10:00:00+03:00,Анна Смирнова,out,+79260000106,recordings/call-006.wav,K-106,D-206,order-confirm-v1,mono
call-007,2026-11-27T15:30:00+03:00,Kate Miller,in,+447700900107,recordings/call-007.mp3,K-107,D-207,inbound-en-v1,rep-left
call-008,2026-11-27T16:10:00+03:00,Анна Смирнова,out,+78612000105,recordings/call-008.ogg,K-105,D-205,,mono
call-009,2026-11-27T17:05:00+03:00,Kate Miller,in,+447700900107,recordings/call-009.mp3,K-107,D-207,inbound-en-v1,rep-left
call-010,2026-11-30T09:10:00+03:00,Игорь Петров,out,+78312000102,recordings/call-010.mp3,K-102,D-202,,mono
call-011,2026-11-30T09:40:00+03:00,Анна Смирнова,out,+79260000106,recordings/call-006.wav,K-106,D-206,order-confirm-v1,mono
call-012,2026-11-30T08:30:00+03:00,Игорь Петров,in,+79990000301,recordings/call-004.wav,,,inbound-v2,mono
call-101,2026-11-03T10:20:00+03:00,Анна Смирнова,in,+79160000101,recordings/call-001.wav,K-101,D-201,inbound-v2,mono
call-102,2026-11-04T14:10:00+03:00,Игорь Петров,out,+78312000102,recordings/call-002.mp3,K-102,D-202,,mono
call-103,2026-11-05T15:00:00+03:00,Kate Miller,in,+447700900107,recordings/call-007.mp3,K-107,D-207,inbound-en-v1,rep-left
call-104,2026-11-10T11:00:00+03:00,Анна Смирнова,out,+79260000106,recordings/call-006.wav,K-106,D-206,order-confirm-v1,mono
call-105,2026-11-11T10:30:00+03:00,Игорь Петров,out,+78312000102,recordings/call-002.mp3,K-102,D-202,,mono
call-106,2026-11-12T16:00:00+03:00,Игорь Петров,out,+78312000102,recordings/call-002.mp3,K-102,D-202,,mono
call-107,2026-11-13T12:00:00+03:00,Kate Miller,in,+447700900107,recordings/call-007.mp3,K-107,D-207,inbound-en-v1,rep-left
call-108,2026-11-18T14:00:00+03:00,Игорь Петров,out,+78312000102,recordings/call-002.mp3,K-102,D-202,,mono
call-109,2026-11-19T09:30:00+03:00,Анна Смирнова,in,+79160000101,recordings/call-001.wav,K-101,D-201,inbound-v2,mono
call-110,2026-11-19T11:15:00+03:00,Kate Miller,out,+358401000103,recordings/call-003.flac,K-103,D-203,,rep-left
call-111,2026-11-20T10:40:00+03:00,Анна Смирнова,out,+78612000105,recordings/call-005.ogg,K-105,D-205,,mono
CSV

  # The roster the weekly plan reads: Kate is a newcomer (90 days after
  # 12.10), Игорь is under plan (72% < 90%), Анна is on plan.
  cat > "$HERE/crm/reps.csv" << 'CSV'
rep,started_on,team,plan_pct
Анна Смирнова,2023-03-01,Юг,104
Игорь Петров,2021-09-15,Юг,72
Kate Miller,2026-10-12,International,96
CSV

  # K-104 was created from the caller ID of call-004: no role, no email, no company.
  cat > "$HERE/crm/contacts.csv" << 'CSV'
contact_id,name,role,phone,email,company,industry,segment,owner_rep
K-101,Сергей Викторович Кузнецов,Владелец,+79160000101,kuznetsov@zarechye-farm.example,КФХ «Заречье»,Сельское хозяйство,Малый бизнес,Анна Смирнова
K-102,Ольга Николаевна Белова,Управляющая,+78312000102,belova@volga-hotel.example,Отель «Волжский берег»,Гостиничный бизнес,Малый бизнес,Игорь Петров
K-103,Lars Nyberg,Facilities Manager,+358401000103,lars.nyberg@nordvik.example,Nordvik Logistics Oy,Logistics,Enterprise,Kate Miller
K-104,Дмитрий,,+79030000104,,,,,Игорь Петров
K-105,Андрей Павлович Морозов,Технический директор,+78612000105,morozov@zelenaya-dolina.example,Тепличный комбинат «Зелёная долина»,Сельское хозяйство,Средний бизнес,Анна Смирнова
K-106,Павел Игоревич Лебедев,Владелец дома,+79260000106,p.lebedev@mail.example,Частное лицо,Частный дом,Частные клиенты,Анна Смирнова
K-107,Daniel Brooks,Owner,+447700900107,daniel@brooks-hotel.example,Brooks Hotel Sochi,Hospitality,SMB,Kate Miller
K-108,Виктор Сергеевич Орлов,Главный инженер,+74950000108,orlov@stroymontazh.example,ООО «СтройМонтаж»,Строительство,Средний бизнес,Игорь Петров
K-109,Елена Андреевна Соколова,Директор,+78120000109,sokolova@baltic-bakery.example,Пекарня «Балтика»,Пищевое производство,Малый бизнес,Анна Смирнова
CSV

  # D-206: amount 1 240 000 although the call confirmed 1 420 000 (stale deal data).
  # D-205: stage "Встреча назначена" follows the wrong note, not the call.
  cat > "$HERE/crm/deals.csv" << 'CSV'
deal_id,contact_id,title,stage,amount,currency,spec,source,owner_rep,updated_at
D-201,K-101,СЭС с аккумуляторами для фермы «Заречье»,Квалификация,1800000,RUB,"Гибридная СЭС ~50 кВт с АКБ, резерв для доильного оборудования",Сайт,Анна Смирнова,2026-11-23T10:42:00+03:00
D-202,K-102,Солнечные панели для отеля «Волжский берег»,Переговоры,900000,RUB,Комплект 20 кВт,Сайт,Игорь Петров,2026-11-10T12:05:00+03:00
D-203,K-103,Rooftop PV for Nordvik warehouse,Needs analysis,250000,EUR,"Rooftop PV ~400 kWp, cold storage load, monitoring export for CO2 reporting",Trade fair,Kate Miller,2026-11-24T11:35:00+03:00
D-205,K-105,СЭС для теплиц «Зелёная долина»,Встреча назначена,2400000,RUB,СЭС 150 кВт для двух новых корпусов,Выставка,Анна Смирнова,2026-11-25T12:55:00+03:00
D-206,K-106,"Заказ №127: СЭС 10 кВт, Сосновка",Заказ подтверждён,1240000,RUB,"24 панели, гибридный инвертор, АКБ, монтаж",Рекомендация,Анна Смирнова,2026-11-26T10:15:00+03:00
D-207,K-107,Solar water heating for Brooks Hotel,Qualification,20000,EUR,"~30 collectors: 42 rooms, restaurant, pool",Inbound call,Kate Miller,2026-11-27T15:50:00+03:00
CSV

  # T-302 is overdue (due before the week of the batch, not done).
  # T-306 follows the wrong note of call-005 (the client declined Friday).
  cat > "$HERE/crm/tasks.csv" << 'CSV'
task_id,deal_id,contact_id,owner_rep,text,due_at,done
T-301,D-201,K-101,Анна Смирнова,Выезд инженера на осмотр фермы,2026-11-26T10:00:00+03:00,0
T-302,D-202,K-102,Игорь Петров,Отправить КП по гостинице,2026-11-13T18:00:00+03:00,0
T-303,D-203,K-103,Kate Miller,Send proposal (two options) to Lars Nyberg,2026-11-26T18:00:00+03:00,0
T-304,D-203,K-103,Kate Miller,Call Lars Nyberg to go through the proposal,2026-11-30T11:00:00+03:00,0
T-305,D-205,K-105,Анна Смирнова,Отправить КП,2026-11-18T18:00:00+03:00,1
T-306,D-205,K-105,Анна Смирнова,Встреча на объекте с инженером,2026-11-27T11:00:00+03:00,0
T-307,D-206,K-106,Анна Смирнова,"Монтаж, Сосновка, после 12:00",2026-12-03T12:00:00+03:00,0
T-308,D-207,K-107,Kate Miller,Prepare proposal for Brooks Hotel,2026-12-02T18:00:00+03:00,0
CSV

  # N-401, N-403, N-406: history written before the calls.
  # call-002 has no write-up at all. N-407 contradicts call-005.
  # N-404 and N-409 carry commas, double quotes and newlines (RFC 4180 quoting).
  cat > "$HERE/crm/notes.csv" << 'CSV'
note_id,deal_id,contact_id,call_id,author_rep,created_at,text
N-401,D-201,K-101,,Анна Смирнова,2026-11-20T16:05:00+03:00,"Заявка с сайта: солнечные панели для фермы. Просит перезвонить, лучше утром."
N-402,D-201,K-101,call-001,Анна Смирнова,2026-11-23T10:41:00+03:00,"Входящий. Молочная ферма на 200 голов + сыроварня. Главное не экономия, а резерв при отключениях (доильные аппараты, холодильники). Крыша металл, ~600 м². Выезд инженера в чт 26.11 в 10:00."
N-403,D-202,K-102,,Игорь Петров,2026-11-10T12:00:00+03:00,Запрос цены на солнечные панели для гостиницы (заявка с сайта).
N-404,D-203,K-103,call-003,Kate Miller,2026-11-24T11:32:00+03:00,"Call with Lars Nyberg, Facilities Manager. Key points:
- flat roof ""about 4,000 m2"", cold storage section
- real goal: parent company's CO2 target (-30% by 2028), monthly figures for the auditors
Next: proposal with two options by Thu 26.11; call Mon 30.11 at 11:00."
N-405,,K-104,call-004,Игорь Петров,2026-11-24T16:26:00+03:00,"Входящий с +79030000104: тишина в трубке, связь оборвалась. Заявка в поддержку телефонии."
N-406,D-205,K-105,,Анна Смирнова,2026-11-18T17:20:00+03:00,"Отправила КП: СЭС 150 кВт, 2 400 000 руб. Перезвонить через неделю."
N-407,D-205,K-105,call-005,Анна Смирнова,2026-11-25T12:52:00+03:00,"Клиент посмотрел КП, цена устраивает. Договорились о встрече на объекте в пятницу 27.11 в 11:00, беру инженера."
N-408,D-206,K-106,call-006,Анна Смирнова,2026-11-26T10:12:00+03:00,"Заказ №127 подтверждён: 1 420 000 руб. с монтажом. Монтаж 03.12 после 12:00, пос. Сосновка, ул. Лесная, 8. Остаток оплаты в день монтажа."
N-409,D-207,K-107,call-007,Kate Miller,2026-11-27T15:48:00+03:00,"Inbound, Daniel Brooks, hotel in Sochi: 42 rooms, restaurant, pool.
Wants solar water heating; I said ""from about EUR 20,000"".
Waiting for roof photos + last year's hot water bills; proposal by Wed 02.12, call Thu 03.12."
N-410,,K-108,,Игорь Петров,2026-09-10T15:00:00+03:00,"Интересовались панелями для склада, просили вернуться осенью."
N-411,,K-109,,Анна Смирнова,2025-08-01T11:30:00+03:00,Отказались в этом году: бюджет заморожен. Вернуться через год.
N-412,D-205,K-105,call-008,Анна Смирнова,2026-11-27T16:20:00+03:00,"Повторный звонок Морозову, связь оборвалась на предложении встречи. Перезвоню 07.12, как договаривались."
N-413,D-207,K-107,call-009,Kate Miller,2026-11-27T17:12:00+03:00,Daniel Brooks called back but I could not hear him at all (his side silent). Emailed him; ticket to telephony support.
N-414,D-202,K-102,call-010,Игорь Петров,2026-11-30T09:20:00+03:00,"Перезвонил по КП, разговор оборвался. Повторю звонок днём."
N-415,D-206,K-106,call-011,Анна Смирнова,2026-11-30T09:52:00+03:00,"Подтвердила монтаж 03.12 после 12:00, Сосновка, ул. Лесная, 8."
N-501,D-201,K-101,call-101,Анна Смирнова,2026-11-03T10:45:00+03:00,"Входящий с сайта. Ферма, резерв питания при отключениях. Выезд инженера согласуем."
N-502,D-202,K-102,call-102,Игорь Петров,2026-11-04T14:20:00+03:00,Звонил по запросу цены. Обсудит с директором.
N-503,D-207,K-107,call-103,Kate Miller,2026-11-05T15:20:00+03:00,Hotel in Sochi asked for solar water heating. Waiting for roof photos.
N-504,D-206,K-106,call-104,Анна Смирнова,2026-11-10T11:15:00+03:00,"Заказ обсуждён с клиентом, сумма и адрес подтверждены."
N-505,D-202,K-102,call-105,Игорь Петров,2026-11-11T10:40:00+03:00,Напомнил про акцию. Клиент думает.
N-506,D-202,K-102,call-106,Игорь Петров,2026-11-12T16:10:00+03:00,Повторный звонок по цене. Ждёт решения директора.
N-507,D-207,K-107,call-107,Kate Miller,2026-11-13T12:15:00+03:00,Daniel Brooks: follow-up on the hot water proposal.
N-508,D-202,K-102,call-108,Игорь Петров,2026-11-18T14:10:00+03:00,Клиент просит КП на почту.
N-509,D-201,K-101,call-109,Анна Смирнова,2026-11-19T09:55:00+03:00,"Повторный звонок Кузнецову: резерв для доильного оборудования, крыша ~600 м²."
N-510,D-203,K-103,call-110,Kate Miller,2026-11-19T11:40:00+03:00,"Call with Lars Nyberg: CO2 target, monthly figures for the auditors; proposal with two options."
N-511,D-205,K-105,call-111,Анна Смирнова,2026-11-20T11:00:00+03:00,"Клиент посмотрел КП, цена устраивает, встреча на объекте."
CSV
}

# ----------------------------------------------------------- derived calls --

# The weekly plan needs more calls than the dialogues give (a rep over her
# quota, a second week, a call cut mid-sentence, a call with one side dead),
# so these are made from the recordings above; no new speech.
# Lines of a transcript up to SECONDS: transcript_until FILE SECONDS
transcript_until() {
  awk -v cut="$2" '
    /^\[[0-9][0-9]:[0-9][0-9]\.[0-9]\]/ {
      t = substr($0, 2, 2) * 60 + substr($0, 5, 4)
      if (t >= cut) exit
      print
    }' "$1"
}

# derive ID FROM SECONDS FORMAT "what it shows" [one-way]
derive() {
  local id=$1 from=$2 secs=$3 format=$4 about=$5 mode=${6:-} w=$WORK/derive-$1 src ext out
  mkdir -p "$w"
  src=$(ls recordings/"$from".*)
  ext=$(format_ext "$format")
  out=recordings/$id.$ext
  local channels
  channels=$(ffprobe -v error -select_streams a:0 -show_entries stream=channels -of csv=p=0 "$src")
  "${FF[@]}" -i "$src" "${FFBITEXACT[@]}" -t "$secs" -ac "$channels" -c:a pcm_s16le "$w/cut.wav"
  if [[ $mode == one-way ]]; then
    # The client's side (right) carries only faint line noise.
    sox "$w/cut.wav" "$w/left.wav" remix 1
    sox -r "$RATE" -c 1 -n -b 16 "$w/noise.wav" synth "$(soxi -s "$w/left.wav")s" pinknoise vol 0.0006 sinc 300-3400
    sox -M "$w/left.wav" "$w/noise.wav" -b 16 "$w/master.wav"
  else
    mv "$w/cut.wav" "$w/master.wav"
  fi
  encode "$format" "$channels" "$w/master.wav" "$HERE/$out"
  {
    echo "$id - transcript of $out"
    echo "Recording: $(format_label "$format"), $RATE Hz, $channels channel(s), $secs s: the first $secs s of $from"
    echo "What it shows: $about"
    echo "Derived by make-demo.sh from recordings of $from (no new speech); lines as in transcripts/$from.txt."
    echo
    if [[ $mode == one-way ]]; then
      transcript_until "transcripts/$from.txt" "$secs" | sed 's/^\(\[[^]]*\]\) \(.*(client):.*\)$/\1 (not heard: the client side is dead) \2/'
    else
      transcript_until "transcripts/$from.txt" "$secs"
    fi
  } > "$HERE/transcripts/$id.txt"
  printf '%-9s %-18s %6s s  %s (from %s)\n' "$id" "$(format_label "$format")" "$secs" "$out" "$from"
}

derive_calls() {
  derive call-008 call-005 54 ogg "Анна's fourth quality call of the week (over her quota of three); the line drops at 54 s while she proposes the meeting."
  derive call-009 call-007 50 mp3 "one-way audio: only Kate and the PBX are heard, the client's side carries line noise; the analysis flags it, so the plan sends it to the telephony check." one-way
  derive call-010 call-002 32 mp3 "a call of the second week dropped mid-sentence at 32 s: a telephony check (20-40 s)."
}

# -------------------------------------------------------------------- run --

cd "$HERE"
if [[ ${1:-} == --derived-only ]]; then
  # Without Festival: the CSVs, and the derived calls from the recordings there.
  write_csvs
  derive_calls
  exit 0
fi
rm -rf recordings transcripts crm calls.csv
mkdir -p recordings transcripts crm
write_csvs
for src in "$SCRIPT_DIR"/call-*.txt; do
  build_call "$(basename "$src" .txt)"
done
derive_calls

# Every recording named in calls.csv must exist and be 8 kHz.
tail -n +2 calls.csv | cut -d, -f6 | sort -u | while read -r rec; do
  [[ -s $rec ]] || die "missing recording $rec"
  sr=$(ffprobe -v error -select_streams a:0 -show_entries stream=sample_rate -of csv=p=0 "$rec")
  [[ $sr == "$RATE" ]] || die "$rec: sample rate $sr, want $RATE"
done
echo "demo batch written to $HERE ($(du -sh "$HERE/recordings" | cut -f1) of recordings)"
