#compdef changegate

autoload -U is-at-least

_changegate() {
    typeset -A opt_args
    typeset -a _arguments_options
    local ret=1

    if is-at-least 5.2; then
        _arguments_options=(-s -S -C)
    else
        _arguments_options=(-s -C)
    fi

    local context curcontext="$curcontext" state line
    _arguments "${_arguments_options[@]}" : \
'--config=[The config file \[default\: changegate.toml in this folder or the nearest one above\]]:FILE:_files' \
'--format=[Output format]:FORMAT:((human\:""
json\:""
github\:""
markdown\:"A summary for a pull-request comment or a CI job summary"))' \
'--now=[Evaluate as of this instant (RFC 3339), for reproducible runs]:RFC3339:_default' \
'--no-progress[Never show progress bars]' \
'(-v --verbose)-q[Print only refusals and errors]' \
'(-v --verbose)--quiet[Print only refusals and errors]' \
'-v[Explain more\: every rule and freeze that set the tier]' \
'--verbose[Explain more\: every rule and freeze that set the tier]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
'-V[Print version]' \
'--version[Print version]' \
":: :_changegate_commands" \
"*::: :->changegate" \
&& ret=0
    case $state in
    (changegate)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:changegate-command-$line[1]:"
        case $line[1] in
            (check)
_arguments "${_arguments_options[@]}" : \
'--base=[Compare against this commit (e.g. \`origin/main\`); config, policy and signers are read from it, and the tickets are those the range adds or edits]:REF:_default' \
'--head=[The commit under review \[default\: HEAD; uncommitted changes are reported, not included\]]:REF:_default' \
'*--terraform-plan=[A Terraform plan as JSON (\`terraform show -json PLANFILE\`)\: its DNS changes are part of the change (repeat for several; also \`\[sources\] terraform_plans\`)]:FILE:_files' \
'*--author=[Who wrote the change, from a record the change cannot edit (CI'\''s pull-request author, as an allowed_signers principal); an author of every ticket, never an approver. Repeatable; also env CHANGEGATE_AUTHOR (comma-separated)]:PRINCIPAL:_default' \
'--config=[The config file \[default\: changegate.toml in this folder or the nearest one above\]]:FILE:_files' \
'--format=[Output format]:FORMAT:((human\:""
json\:""
github\:""
markdown\:"A summary for a pull-request comment or a CI job summary"))' \
'--now=[Evaluate as of this instant (RFC 3339), for reproducible runs]:RFC3339:_default' \
'--no-progress[Never show progress bars]' \
'(-v --verbose)-q[Print only refusals and errors]' \
'(-v --verbose)--quiet[Print only refusals and errors]' \
'-v[Explain more\: every rule and freeze that set the tier]' \
'--verbose[Explain more\: every rule and freeze that set the tier]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
'*::tickets -- Ticket files \[default\: every `*.toml` in the tickets folder from changegate.toml\]:_files' \
&& ret=0
;;
(diff)
_arguments "${_arguments_options[@]}" : \
'--base=[Compare against this commit (e.g. \`origin/main\`); config, policy and signers are read from it, and the tickets are those the range adds or edits]:REF:_default' \
'--head=[The commit under review \[default\: HEAD; uncommitted changes are reported, not included\]]:REF:_default' \
'*--terraform-plan=[A Terraform plan as JSON (\`terraform show -json PLANFILE\`)\: its DNS changes are part of the change (repeat for several; also \`\[sources\] terraform_plans\`)]:FILE:_files' \
'--config=[The config file \[default\: changegate.toml in this folder or the nearest one above\]]:FILE:_files' \
'--format=[Output format]:FORMAT:((human\:""
json\:""
github\:""
markdown\:"A summary for a pull-request comment or a CI job summary"))' \
'--now=[Evaluate as of this instant (RFC 3339), for reproducible runs]:RFC3339:_default' \
'--no-progress[Never show progress bars]' \
'(-v --verbose)-q[Print only refusals and errors]' \
'(-v --verbose)--quiet[Print only refusals and errors]' \
'-v[Explain more\: every rule and freeze that set the tier]' \
'--verbose[Explain more\: every rule and freeze that set the tier]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
'*::paths -- Two zone files or folders of zone files\: OLD and NEW:_files' \
&& ret=0
;;
(approve)
_arguments "${_arguments_options[@]}" : \
'--key=[The SSH private key to sign with (a \`.pub\` file signs with that key in ssh-agent) \[default\: a key in ssh-agent that allowed_signers knows, else ~/.ssh/id_ed25519\]]:PATH:_files' \
'--as=[Approve as this principal \[default\: the principal allowed_signers gives the key\]]:PRINCIPAL:_default' \
'--comment=[A one-line comment, signed with the approval]:TEXT:_default' \
'--digest=[The ticket digest you reviewed; required without a terminal]:sha256:HEX:_default' \
'--base=[Compare against this commit (e.g. \`origin/main\`); config, policy and signers are read from it, and the tickets are those the range adds or edits]:REF:_default' \
'--head=[The commit under review \[default\: HEAD; uncommitted changes are reported, not included\]]:REF:_default' \
'*--terraform-plan=[A Terraform plan as JSON (\`terraform show -json PLANFILE\`)\: its DNS changes are part of the change (repeat for several; also \`\[sources\] terraform_plans\`)]:FILE:_files' \
'--config=[The config file \[default\: changegate.toml in this folder or the nearest one above\]]:FILE:_files' \
'--format=[Output format]:FORMAT:((human\:""
json\:""
github\:""
markdown\:"A summary for a pull-request comment or a CI job summary"))' \
'--now=[Evaluate as of this instant (RFC 3339), for reproducible runs]:RFC3339:_default' \
'--show-digest[Print the ticket'\''s digest and exit]' \
'--force[Replace your own earlier approval]' \
'--no-progress[Never show progress bars]' \
'(-v --verbose)-q[Print only refusals and errors]' \
'(-v --verbose)--quiet[Print only refusals and errors]' \
'-v[Explain more\: every rule and freeze that set the tier]' \
'--verbose[Explain more\: every rule and freeze that set the tier]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
':ticket -- The ticket file to approve:_files' \
&& ret=0
;;
(lint)
_arguments "${_arguments_options[@]}" : \
'--config=[The config file \[default\: changegate.toml in this folder or the nearest one above\]]:FILE:_files' \
'--format=[Output format]:FORMAT:((human\:""
json\:""
github\:""
markdown\:"A summary for a pull-request comment or a CI job summary"))' \
'--now=[Evaluate as of this instant (RFC 3339), for reproducible runs]:RFC3339:_default' \
'--no-progress[Never show progress bars]' \
'(-v --verbose)-q[Print only refusals and errors]' \
'(-v --verbose)--quiet[Print only refusals and errors]' \
'-v[Explain more\: every rule and freeze that set the tier]' \
'--verbose[Explain more\: every rule and freeze that set the tier]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
'*::tickets -- Ticket files \[default\: every `*.toml` in the tickets folder from changegate.toml\]:_files' \
&& ret=0
;;
(snapshot)
_arguments "${_arguments_options[@]}" : \
'--ticket=[Record every name the ticket touches, and the names that depend on them]:TICKET:_files' \
'--types=[Record types to ask for, comma-separated]:TYPES:_default' \
'--out=[The snapshot file to write (atomically)]:FILE:_files' \
'*--terraform-plan=[With \`--ticket\`\: a Terraform plan (JSON) whose changes the ticket declares; the names that depend on them, aliases of resources it deletes included, are recorded too]:FILE:_files' \
'*--resolver=[A resolver to ask, \`ADDR\[\:PORT\]\` (repeat for several; their answers must agree) \[default\: \`\[dns\] resolvers\` in changegate.toml\]]:ADDR:_default' \
'--concurrency=[Questions in flight at once]:N:_default' \
'--timeout=[Time to wait for each answer]:DURATION:_default' \
'--attempts=[Tries per question, the first included]:N:_default' \
'--config=[The config file \[default\: changegate.toml in this folder or the nearest one above\]]:FILE:_files' \
'--format=[Output format]:FORMAT:((human\:""
json\:""
github\:""
markdown\:"A summary for a pull-request comment or a CI job summary"))' \
'--now=[Evaluate as of this instant (RFC 3339), for reproducible runs]:RFC3339:_default' \
'--no-progress[Never show progress bars]' \
'(-v --verbose)-q[Print only refusals and errors]' \
'(-v --verbose)--quiet[Print only refusals and errors]' \
'-v[Explain more\: every rule and freeze that set the tier]' \
'--verbose[Explain more\: every rule and freeze that set the tier]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
'*::names -- Names to record:_default' \
&& ret=0
;;
(verify)
_arguments "${_arguments_options[@]}" : \
'*--resolver=[A resolver to ask, \`ADDR\[\:PORT\]\` (repeat for several; their answers must agree) \[default\: \`\[dns\] resolvers\` in changegate.toml\]]:ADDR:_default' \
'--concurrency=[Questions in flight at once]:N:_default' \
'--timeout=[Time to wait for each answer]:DURATION:_default' \
'--attempts=[Tries per question, the first included]:N:_default' \
'--config=[The config file \[default\: changegate.toml in this folder or the nearest one above\]]:FILE:_files' \
'--format=[Output format]:FORMAT:((human\:""
json\:""
github\:""
markdown\:"A summary for a pull-request comment or a CI job summary"))' \
'--now=[Evaluate as of this instant (RFC 3339), for reproducible runs]:RFC3339:_default' \
'--authoritative[Ask every server of each zone'\''s NS set directly (port 53, no recursion) and compare each one on its own; resolvers only find the zones and the servers'\'' addresses]' \
'--no-progress[Never show progress bars]' \
'(-v --verbose)-q[Print only refusals and errors]' \
'(-v --verbose)--quiet[Print only refusals and errors]' \
'-v[Explain more\: every rule and freeze that set the tier]' \
'--verbose[Explain more\: every rule and freeze that set the tier]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
':snapshot -- A snapshot file written by `changegate snapshot`:_files' \
&& ret=0
;;
(drift)
_arguments "${_arguments_options[@]}" : \
'*--zone=[Only these managed zones (repeat) \[default\: all\]]:ZONE:_default' \
'*--resolver=[A resolver to ask, \`ADDR\[\:PORT\]\` (repeat for several; their answers must agree) \[default\: \`\[dns\] resolvers\` in changegate.toml\]]:ADDR:_default' \
'--concurrency=[Questions in flight at once]:N:_default' \
'--timeout=[Time to wait for each answer]:DURATION:_default' \
'--attempts=[Tries per question, the first included]:N:_default' \
'--config=[The config file \[default\: changegate.toml in this folder or the nearest one above\]]:FILE:_files' \
'--format=[Output format]:FORMAT:((human\:""
json\:""
github\:""
markdown\:"A summary for a pull-request comment or a CI job summary"))' \
'--now=[Evaluate as of this instant (RFC 3339), for reproducible runs]:RFC3339:_default' \
'--authoritative[Ask every server of each zone'\''s NS set directly (port 53, no recursion) and compare each one on its own; resolvers only find the zones and the servers'\'' addresses]' \
'--no-progress[Never show progress bars]' \
'(-v --verbose)-q[Print only refusals and errors]' \
'(-v --verbose)--quiet[Print only refusals and errors]' \
'-v[Explain more\: every rule and freeze that set the tier]' \
'--verbose[Explain more\: every rule and freeze that set the tier]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
&& ret=0
;;
(watch)
_arguments "${_arguments_options[@]}" : \
'--max-blind=[Consecutive evaluations that may see nothing (error, empty, NaN) before the watch aborts\: a rollout that has gone blind is not healthy]:N:_default' \
'*--on-abort=[A command to run on abort (an argument vector, no shell), with \`CHANGEGATE_TICKET\`, \`CHANGEGATE_SIGNAL\` and \`CHANGEGATE_SNAPSHOT\` in its environment; give it last]:CMD:_default' \
'--config=[The config file \[default\: changegate.toml in this folder or the nearest one above\]]:FILE:_files' \
'--format=[Output format]:FORMAT:((human\:""
json\:""
github\:""
markdown\:"A summary for a pull-request comment or a CI job summary"))' \
'--now=[Evaluate as of this instant (RFC 3339), for reproducible runs]:RFC3339:_default' \
'--no-progress[Never show progress bars]' \
'(-v --verbose)-q[Print only refusals and errors]' \
'(-v --verbose)--quiet[Print only refusals and errors]' \
'-v[Explain more\: every rule and freeze that set the tier]' \
'--verbose[Explain more\: every rule and freeze that set the tier]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
':ticket -- The ticket whose `\[\[health_signal\]\]`s to watch:_files' \
&& ret=0
;;
(init)
_arguments "${_arguments_options[@]}" : \
'--metrics=[Where resolution counts come from \[default\: left commented\: every deletion is refused until it is set\]]:BACKEND:(prometheus file)' \
'--url=[The Prometheus URL, with \`--metrics prometheus\`]:URL:_default' \
'*--zonefiles=[Zone-file globs, instead of those found (repeat)]:GLOB:_default' \
'*--octodns=[octoDNS YAML globs, instead of those found (repeat)]:GLOB:_default' \
'--config=[The config file \[default\: changegate.toml in this folder or the nearest one above\]]:FILE:_files' \
'--format=[Output format]:FORMAT:((human\:""
json\:""
github\:""
markdown\:"A summary for a pull-request comment or a CI job summary"))' \
'--now=[Evaluate as of this instant (RFC 3339), for reproducible runs]:RFC3339:_default' \
'--force[Replace files that exist (each is written whole or not at all)]' \
'--no-progress[Never show progress bars]' \
'(-v --verbose)-q[Print only refusals and errors]' \
'(-v --verbose)--quiet[Print only refusals and errors]' \
'-v[Explain more\: every rule and freeze that set the tier]' \
'--verbose[Explain more\: every rule and freeze that set the tier]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
&& ret=0
;;
(log)
_arguments "${_arguments_options[@]}" : \
'--base=[The branch whose first-parent history to read \[default\: HEAD\]]:REF:_default' \
'--since=[Only tickets merged at or after this date (\`2026-12-01\`) or instant (RFC 3339)]:DATE:_default' \
'--config=[The config file \[default\: changegate.toml in this folder or the nearest one above\]]:FILE:_files' \
'--format=[Output format]:FORMAT:((human\:""
json\:""
github\:""
markdown\:"A summary for a pull-request comment or a CI job summary"))' \
'--now=[Evaluate as of this instant (RFC 3339), for reproducible runs]:RFC3339:_default' \
'--no-progress[Never show progress bars]' \
'(-v --verbose)-q[Print only refusals and errors]' \
'(-v --verbose)--quiet[Print only refusals and errors]' \
'-v[Explain more\: every rule and freeze that set the tier]' \
'--verbose[Explain more\: every rule and freeze that set the tier]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
&& ret=0
;;
(ticket)
_arguments "${_arguments_options[@]}" : \
'--config=[The config file \[default\: changegate.toml in this folder or the nearest one above\]]:FILE:_files' \
'--format=[Output format]:FORMAT:((human\:""
json\:""
github\:""
markdown\:"A summary for a pull-request comment or a CI job summary"))' \
'--now=[Evaluate as of this instant (RFC 3339), for reproducible runs]:RFC3339:_default' \
'--no-progress[Never show progress bars]' \
'(-v --verbose)-q[Print only refusals and errors]' \
'(-v --verbose)--quiet[Print only refusals and errors]' \
'-v[Explain more\: every rule and freeze that set the tier]' \
'--verbose[Explain more\: every rule and freeze that set the tier]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
":: :_changegate__subcmd__ticket_commands" \
"*::: :->ticket" \
&& ret=0

    case $state in
    (ticket)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:changegate-ticket-command-$line[1]:"
        case $line[1] in
            (new)
_arguments "${_arguments_options[@]}" : \
'--base=[Compare against this commit (e.g. \`origin/main\`); config, policy and signers are read from it, and the tickets are those the range adds or edits]:REF:_default' \
'--head=[The commit under review \[default\: HEAD; uncommitted changes are reported, not included\]]:REF:_default' \
'*--terraform-plan=[A Terraform plan as JSON (\`terraform show -json PLANFILE\`)\: its DNS changes are part of the change (repeat for several; also \`\[sources\] terraform_plans\`)]:FILE:_files' \
'--id=[The ticket'\''s id \[default\: the next free \`CHG-<n>\` in the tickets folder\]]:ID:_default' \
'--author=[The author \[default\: git'\''s \`user.email\`\]]:EMAIL:_default' \
'--config=[The config file \[default\: changegate.toml in this folder or the nearest one above\]]:FILE:_files' \
'--format=[Output format]:FORMAT:((human\:""
json\:""
github\:""
markdown\:"A summary for a pull-request comment or a CI job summary"))' \
'--now=[Evaluate as of this instant (RFC 3339), for reproducible runs]:RFC3339:_default' \
'--no-progress[Never show progress bars]' \
'(-v --verbose)-q[Print only refusals and errors]' \
'(-v --verbose)--quiet[Print only refusals and errors]' \
'-v[Explain more\: every rule and freeze that set the tier]' \
'--verbose[Explain more\: every rule and freeze that set the tier]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
'*::paths -- Two zone files or folders\: OLD and NEW (instead of `--base`):_files' \
&& ret=0
;;
(help)
_arguments "${_arguments_options[@]}" : \
":: :_changegate__subcmd__ticket__subcmd__help_commands" \
"*::: :->help" \
&& ret=0

    case $state in
    (help)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:changegate-ticket-help-command-$line[1]:"
        case $line[1] in
            (new)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(help)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
        esac
    ;;
esac
;;
        esac
    ;;
esac
;;
(hook)
_arguments "${_arguments_options[@]}" : \
'--config=[The config file \[default\: changegate.toml in this folder or the nearest one above\]]:FILE:_files' \
'--format=[Output format]:FORMAT:((human\:""
json\:""
github\:""
markdown\:"A summary for a pull-request comment or a CI job summary"))' \
'--now=[Evaluate as of this instant (RFC 3339), for reproducible runs]:RFC3339:_default' \
'--no-progress[Never show progress bars]' \
'(-v --verbose)-q[Print only refusals and errors]' \
'(-v --verbose)--quiet[Print only refusals and errors]' \
'-v[Explain more\: every rule and freeze that set the tier]' \
'--verbose[Explain more\: every rule and freeze that set the tier]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
":: :_changegate__subcmd__hook_commands" \
"*::: :->hook" \
&& ret=0

    case $state in
    (hook)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:changegate-hook-command-$line[1]:"
        case $line[1] in
            (install)
_arguments "${_arguments_options[@]}" : \
'--config=[The config file \[default\: changegate.toml in this folder or the nearest one above\]]:FILE:_files' \
'--format=[Output format]:FORMAT:((human\:""
json\:""
github\:""
markdown\:"A summary for a pull-request comment or a CI job summary"))' \
'--now=[Evaluate as of this instant (RFC 3339), for reproducible runs]:RFC3339:_default' \
'--force[Replace an existing pre-push hook that is not changegate'\''s]' \
'--no-progress[Never show progress bars]' \
'(-v --verbose)-q[Print only refusals and errors]' \
'(-v --verbose)--quiet[Print only refusals and errors]' \
'-v[Explain more\: every rule and freeze that set the tier]' \
'--verbose[Explain more\: every rule and freeze that set the tier]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
&& ret=0
;;
(help)
_arguments "${_arguments_options[@]}" : \
":: :_changegate__subcmd__hook__subcmd__help_commands" \
"*::: :->help" \
&& ret=0

    case $state in
    (help)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:changegate-hook-help-command-$line[1]:"
        case $line[1] in
            (install)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(help)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
        esac
    ;;
esac
;;
        esac
    ;;
esac
;;
(completions)
_arguments "${_arguments_options[@]}" : \
'--config=[The config file \[default\: changegate.toml in this folder or the nearest one above\]]:FILE:_files' \
'--format=[Output format]:FORMAT:((human\:""
json\:""
github\:""
markdown\:"A summary for a pull-request comment or a CI job summary"))' \
'--now=[Evaluate as of this instant (RFC 3339), for reproducible runs]:RFC3339:_default' \
'--no-progress[Never show progress bars]' \
'(-v --verbose)-q[Print only refusals and errors]' \
'(-v --verbose)--quiet[Print only refusals and errors]' \
'-v[Explain more\: every rule and freeze that set the tier]' \
'--verbose[Explain more\: every rule and freeze that set the tier]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
':shell -- The shell:(bash elvish fish powershell zsh)' \
&& ret=0
;;
(man)
_arguments "${_arguments_options[@]}" : \
'--config=[The config file \[default\: changegate.toml in this folder or the nearest one above\]]:FILE:_files' \
'--format=[Output format]:FORMAT:((human\:""
json\:""
github\:""
markdown\:"A summary for a pull-request comment or a CI job summary"))' \
'--now=[Evaluate as of this instant (RFC 3339), for reproducible runs]:RFC3339:_default' \
'--no-progress[Never show progress bars]' \
'(-v --verbose)-q[Print only refusals and errors]' \
'(-v --verbose)--quiet[Print only refusals and errors]' \
'-v[Explain more\: every rule and freeze that set the tier]' \
'--verbose[Explain more\: every rule and freeze that set the tier]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
&& ret=0
;;
(help)
_arguments "${_arguments_options[@]}" : \
":: :_changegate__subcmd__help_commands" \
"*::: :->help" \
&& ret=0

    case $state in
    (help)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:changegate-help-command-$line[1]:"
        case $line[1] in
            (check)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(diff)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(approve)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(lint)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(snapshot)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(verify)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(drift)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(watch)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(init)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(log)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(ticket)
_arguments "${_arguments_options[@]}" : \
":: :_changegate__subcmd__help__subcmd__ticket_commands" \
"*::: :->ticket" \
&& ret=0

    case $state in
    (ticket)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:changegate-help-ticket-command-$line[1]:"
        case $line[1] in
            (new)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
        esac
    ;;
esac
;;
(hook)
_arguments "${_arguments_options[@]}" : \
":: :_changegate__subcmd__help__subcmd__hook_commands" \
"*::: :->hook" \
&& ret=0

    case $state in
    (hook)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:changegate-help-hook-command-$line[1]:"
        case $line[1] in
            (install)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
        esac
    ;;
esac
;;
(completions)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(man)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(help)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
        esac
    ;;
esac
;;
        esac
    ;;
esac
}

(( $+functions[_changegate_commands] )) ||
_changegate_commands() {
    local commands; commands=(
'check:Evaluate tickets and print a verdict (exit 0 allowed, 1 refused, 2 invalid, 3 could not evaluate)' \
'diff:Show the desired-state DNS diff\: \`diff OLD NEW\` (files or folders) or \`diff --base REF\`' \
'approve:Review a ticket and sign it with your SSH key' \
'lint:Validate config, policy and tickets without touching the network' \
'snapshot:Record live DNS answers (types, CNAME chain, values, TTLs) as the last-known-good state' \
'verify:Re-resolve and compare exactly with a snapshot (exit 1 on any difference)' \
'drift:Compare desired state (zone files, octoDNS) with live DNS, alias-aware (exit 1 on drift)' \
'watch:Watch a ticket'\''s health signals through the change; abort on a breach (exit 0 healthy to the end, 1 aborted, 2 invalid, 3 could not start, 130 interrupted)' \
'init:Write a starting changegate.toml, policy, allowed_signers and tickets folder for the DNS repository here; never overwrites without --force' \
'log:The change record from git history\: each ticket merged, its kind, tier and approvals, and for emergencies whether their review is done, pending or overdue' \
'ticket:Write tickets\: \`ticket new\` declares every change of a range or of two paths' \
'hook:Install git hooks that run the gate' \
'completions:Print shell completions' \
'man:Print the man page (roff)' \
'help:Print this message or the help of the given subcommand(s)' \
    )
    _describe -t commands 'changegate commands' commands "$@"
}
(( $+functions[_changegate__subcmd__approve_commands] )) ||
_changegate__subcmd__approve_commands() {
    local commands; commands=()
    _describe -t commands 'changegate approve commands' commands "$@"
}
(( $+functions[_changegate__subcmd__check_commands] )) ||
_changegate__subcmd__check_commands() {
    local commands; commands=()
    _describe -t commands 'changegate check commands' commands "$@"
}
(( $+functions[_changegate__subcmd__completions_commands] )) ||
_changegate__subcmd__completions_commands() {
    local commands; commands=()
    _describe -t commands 'changegate completions commands' commands "$@"
}
(( $+functions[_changegate__subcmd__diff_commands] )) ||
_changegate__subcmd__diff_commands() {
    local commands; commands=()
    _describe -t commands 'changegate diff commands' commands "$@"
}
(( $+functions[_changegate__subcmd__drift_commands] )) ||
_changegate__subcmd__drift_commands() {
    local commands; commands=()
    _describe -t commands 'changegate drift commands' commands "$@"
}
(( $+functions[_changegate__subcmd__help_commands] )) ||
_changegate__subcmd__help_commands() {
    local commands; commands=(
'check:Evaluate tickets and print a verdict (exit 0 allowed, 1 refused, 2 invalid, 3 could not evaluate)' \
'diff:Show the desired-state DNS diff\: \`diff OLD NEW\` (files or folders) or \`diff --base REF\`' \
'approve:Review a ticket and sign it with your SSH key' \
'lint:Validate config, policy and tickets without touching the network' \
'snapshot:Record live DNS answers (types, CNAME chain, values, TTLs) as the last-known-good state' \
'verify:Re-resolve and compare exactly with a snapshot (exit 1 on any difference)' \
'drift:Compare desired state (zone files, octoDNS) with live DNS, alias-aware (exit 1 on drift)' \
'watch:Watch a ticket'\''s health signals through the change; abort on a breach (exit 0 healthy to the end, 1 aborted, 2 invalid, 3 could not start, 130 interrupted)' \
'init:Write a starting changegate.toml, policy, allowed_signers and tickets folder for the DNS repository here; never overwrites without --force' \
'log:The change record from git history\: each ticket merged, its kind, tier and approvals, and for emergencies whether their review is done, pending or overdue' \
'ticket:Write tickets\: \`ticket new\` declares every change of a range or of two paths' \
'hook:Install git hooks that run the gate' \
'completions:Print shell completions' \
'man:Print the man page (roff)' \
'help:Print this message or the help of the given subcommand(s)' \
    )
    _describe -t commands 'changegate help commands' commands "$@"
}
(( $+functions[_changegate__subcmd__help__subcmd__approve_commands] )) ||
_changegate__subcmd__help__subcmd__approve_commands() {
    local commands; commands=()
    _describe -t commands 'changegate help approve commands' commands "$@"
}
(( $+functions[_changegate__subcmd__help__subcmd__check_commands] )) ||
_changegate__subcmd__help__subcmd__check_commands() {
    local commands; commands=()
    _describe -t commands 'changegate help check commands' commands "$@"
}
(( $+functions[_changegate__subcmd__help__subcmd__completions_commands] )) ||
_changegate__subcmd__help__subcmd__completions_commands() {
    local commands; commands=()
    _describe -t commands 'changegate help completions commands' commands "$@"
}
(( $+functions[_changegate__subcmd__help__subcmd__diff_commands] )) ||
_changegate__subcmd__help__subcmd__diff_commands() {
    local commands; commands=()
    _describe -t commands 'changegate help diff commands' commands "$@"
}
(( $+functions[_changegate__subcmd__help__subcmd__drift_commands] )) ||
_changegate__subcmd__help__subcmd__drift_commands() {
    local commands; commands=()
    _describe -t commands 'changegate help drift commands' commands "$@"
}
(( $+functions[_changegate__subcmd__help__subcmd__help_commands] )) ||
_changegate__subcmd__help__subcmd__help_commands() {
    local commands; commands=()
    _describe -t commands 'changegate help help commands' commands "$@"
}
(( $+functions[_changegate__subcmd__help__subcmd__hook_commands] )) ||
_changegate__subcmd__help__subcmd__hook_commands() {
    local commands; commands=(
'install:Write a pre-push hook that runs \`changegate check --base\` on every pushed ref' \
    )
    _describe -t commands 'changegate help hook commands' commands "$@"
}
(( $+functions[_changegate__subcmd__help__subcmd__hook__subcmd__install_commands] )) ||
_changegate__subcmd__help__subcmd__hook__subcmd__install_commands() {
    local commands; commands=()
    _describe -t commands 'changegate help hook install commands' commands "$@"
}
(( $+functions[_changegate__subcmd__help__subcmd__init_commands] )) ||
_changegate__subcmd__help__subcmd__init_commands() {
    local commands; commands=()
    _describe -t commands 'changegate help init commands' commands "$@"
}
(( $+functions[_changegate__subcmd__help__subcmd__lint_commands] )) ||
_changegate__subcmd__help__subcmd__lint_commands() {
    local commands; commands=()
    _describe -t commands 'changegate help lint commands' commands "$@"
}
(( $+functions[_changegate__subcmd__help__subcmd__log_commands] )) ||
_changegate__subcmd__help__subcmd__log_commands() {
    local commands; commands=()
    _describe -t commands 'changegate help log commands' commands "$@"
}
(( $+functions[_changegate__subcmd__help__subcmd__man_commands] )) ||
_changegate__subcmd__help__subcmd__man_commands() {
    local commands; commands=()
    _describe -t commands 'changegate help man commands' commands "$@"
}
(( $+functions[_changegate__subcmd__help__subcmd__snapshot_commands] )) ||
_changegate__subcmd__help__subcmd__snapshot_commands() {
    local commands; commands=()
    _describe -t commands 'changegate help snapshot commands' commands "$@"
}
(( $+functions[_changegate__subcmd__help__subcmd__ticket_commands] )) ||
_changegate__subcmd__help__subcmd__ticket_commands() {
    local commands; commands=(
'new:Write \`changes/<ID>.toml\` declaring every RRset change of the range (\`--base REF\`) or of \`OLD NEW\`, with what a person must decide left as \`TODO\`s; never overwrites' \
    )
    _describe -t commands 'changegate help ticket commands' commands "$@"
}
(( $+functions[_changegate__subcmd__help__subcmd__ticket__subcmd__new_commands] )) ||
_changegate__subcmd__help__subcmd__ticket__subcmd__new_commands() {
    local commands; commands=()
    _describe -t commands 'changegate help ticket new commands' commands "$@"
}
(( $+functions[_changegate__subcmd__help__subcmd__verify_commands] )) ||
_changegate__subcmd__help__subcmd__verify_commands() {
    local commands; commands=()
    _describe -t commands 'changegate help verify commands' commands "$@"
}
(( $+functions[_changegate__subcmd__help__subcmd__watch_commands] )) ||
_changegate__subcmd__help__subcmd__watch_commands() {
    local commands; commands=()
    _describe -t commands 'changegate help watch commands' commands "$@"
}
(( $+functions[_changegate__subcmd__hook_commands] )) ||
_changegate__subcmd__hook_commands() {
    local commands; commands=(
'install:Write a pre-push hook that runs \`changegate check --base\` on every pushed ref' \
'help:Print this message or the help of the given subcommand(s)' \
    )
    _describe -t commands 'changegate hook commands' commands "$@"
}
(( $+functions[_changegate__subcmd__hook__subcmd__help_commands] )) ||
_changegate__subcmd__hook__subcmd__help_commands() {
    local commands; commands=(
'install:Write a pre-push hook that runs \`changegate check --base\` on every pushed ref' \
'help:Print this message or the help of the given subcommand(s)' \
    )
    _describe -t commands 'changegate hook help commands' commands "$@"
}
(( $+functions[_changegate__subcmd__hook__subcmd__help__subcmd__help_commands] )) ||
_changegate__subcmd__hook__subcmd__help__subcmd__help_commands() {
    local commands; commands=()
    _describe -t commands 'changegate hook help help commands' commands "$@"
}
(( $+functions[_changegate__subcmd__hook__subcmd__help__subcmd__install_commands] )) ||
_changegate__subcmd__hook__subcmd__help__subcmd__install_commands() {
    local commands; commands=()
    _describe -t commands 'changegate hook help install commands' commands "$@"
}
(( $+functions[_changegate__subcmd__hook__subcmd__install_commands] )) ||
_changegate__subcmd__hook__subcmd__install_commands() {
    local commands; commands=()
    _describe -t commands 'changegate hook install commands' commands "$@"
}
(( $+functions[_changegate__subcmd__init_commands] )) ||
_changegate__subcmd__init_commands() {
    local commands; commands=()
    _describe -t commands 'changegate init commands' commands "$@"
}
(( $+functions[_changegate__subcmd__lint_commands] )) ||
_changegate__subcmd__lint_commands() {
    local commands; commands=()
    _describe -t commands 'changegate lint commands' commands "$@"
}
(( $+functions[_changegate__subcmd__log_commands] )) ||
_changegate__subcmd__log_commands() {
    local commands; commands=()
    _describe -t commands 'changegate log commands' commands "$@"
}
(( $+functions[_changegate__subcmd__man_commands] )) ||
_changegate__subcmd__man_commands() {
    local commands; commands=()
    _describe -t commands 'changegate man commands' commands "$@"
}
(( $+functions[_changegate__subcmd__snapshot_commands] )) ||
_changegate__subcmd__snapshot_commands() {
    local commands; commands=()
    _describe -t commands 'changegate snapshot commands' commands "$@"
}
(( $+functions[_changegate__subcmd__ticket_commands] )) ||
_changegate__subcmd__ticket_commands() {
    local commands; commands=(
'new:Write \`changes/<ID>.toml\` declaring every RRset change of the range (\`--base REF\`) or of \`OLD NEW\`, with what a person must decide left as \`TODO\`s; never overwrites' \
'help:Print this message or the help of the given subcommand(s)' \
    )
    _describe -t commands 'changegate ticket commands' commands "$@"
}
(( $+functions[_changegate__subcmd__ticket__subcmd__help_commands] )) ||
_changegate__subcmd__ticket__subcmd__help_commands() {
    local commands; commands=(
'new:Write \`changes/<ID>.toml\` declaring every RRset change of the range (\`--base REF\`) or of \`OLD NEW\`, with what a person must decide left as \`TODO\`s; never overwrites' \
'help:Print this message or the help of the given subcommand(s)' \
    )
    _describe -t commands 'changegate ticket help commands' commands "$@"
}
(( $+functions[_changegate__subcmd__ticket__subcmd__help__subcmd__help_commands] )) ||
_changegate__subcmd__ticket__subcmd__help__subcmd__help_commands() {
    local commands; commands=()
    _describe -t commands 'changegate ticket help help commands' commands "$@"
}
(( $+functions[_changegate__subcmd__ticket__subcmd__help__subcmd__new_commands] )) ||
_changegate__subcmd__ticket__subcmd__help__subcmd__new_commands() {
    local commands; commands=()
    _describe -t commands 'changegate ticket help new commands' commands "$@"
}
(( $+functions[_changegate__subcmd__ticket__subcmd__new_commands] )) ||
_changegate__subcmd__ticket__subcmd__new_commands() {
    local commands; commands=()
    _describe -t commands 'changegate ticket new commands' commands "$@"
}
(( $+functions[_changegate__subcmd__verify_commands] )) ||
_changegate__subcmd__verify_commands() {
    local commands; commands=()
    _describe -t commands 'changegate verify commands' commands "$@"
}
(( $+functions[_changegate__subcmd__watch_commands] )) ||
_changegate__subcmd__watch_commands() {
    local commands; commands=()
    _describe -t commands 'changegate watch commands' commands "$@"
}

if [ "$funcstack[1]" = "_changegate" ]; then
    _changegate "$@"
else
    compdef _changegate changegate
fi
