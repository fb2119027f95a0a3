# One firm's readings as MQTT messages: {topic, payload} per terminal, the payload a JSON array of
# cumulative readings (CONTRACT.md, "Count readings"). Input: a firm of district.json.
# Arguments: $routings (the routings object), $seq, $ts (RFC 3339), $only ("" for every order, or a
# status: only orders of that status), $shift (added to each order's progress, e.g. -0.05).
# Earlier routing steps run ahead of later ones, so the order's mean progress is about .progress and
# its finished pieces (the last step) trail behind it.
def clamp: if . < 0 then 0 elif . > 1 then 1 else . end;
def two: tostring | if length < 2 then "0" + . else . end;
. as $f
| [ $f.orders[]
    | select($only == "" or .status == $only)
    | . as $o
    | $routings[$o.routing] as $r
    | ($r | length) as $n
    | range(0; $n) as $i
    | (if $o.progress >= 1 then 1
       else (($o.progress + $shift) + (0.5 - ($i / ([$n - 1, 1] | max))) * 0.4) | clamp end) as $p
    # Orders at risk are counted by the line's gateway, all steps in one message, so the brain sees
    # each of their rounds whole and projects their (slow) rate from it.
    | { terminal: (if $o.status == "at-risk" then "GW01" else "T" + (($i % $f.terminals) + 1 | two) end),
        reading: { order: $o.order, step: $r[$i].step, seq: $seq,
                   good: ($o.quantity * $p | floor), scrap: ($o.quantity * $p * 0.004 | floor), ts: $ts } } ]
| group_by(.terminal)[]
| { topic: "ib/\($f.id)/\(.[0].terminal)/count", payload: (map(.reading) | tojson) }
