# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_changegate_global_optspecs
    string join \n config= format= now= no-progress q/quiet v/verbose h/help V/version
end

function __fish_changegate_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_changegate_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_changegate_using_subcommand
    set -l cmd (__fish_changegate_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c changegate -n "__fish_changegate_needs_command" -l config -d 'The config file [default: changegate.toml in this folder or the nearest one above]' -r -F
complete -c changegate -n "__fish_changegate_needs_command" -l format -d 'Output format' -r -f -a "human\t''
json\t''
github\t''
markdown\t'A summary for a pull-request comment or a CI job summary'"
complete -c changegate -n "__fish_changegate_needs_command" -l now -d 'Evaluate as of this instant (RFC 3339), for reproducible runs' -r
complete -c changegate -n "__fish_changegate_needs_command" -l no-progress -d 'Never show progress bars'
complete -c changegate -n "__fish_changegate_needs_command" -s q -l quiet -d 'Print only refusals and errors'
complete -c changegate -n "__fish_changegate_needs_command" -s v -l verbose -d 'Explain more: every rule and freeze that set the tier'
complete -c changegate -n "__fish_changegate_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c changegate -n "__fish_changegate_needs_command" -s V -l version -d 'Print version'
complete -c changegate -n "__fish_changegate_needs_command" -f -a "check" -d 'Evaluate tickets and print a verdict (exit 0 allowed, 1 refused, 2 invalid, 3 could not evaluate)'
complete -c changegate -n "__fish_changegate_needs_command" -f -a "diff" -d 'Show the desired-state DNS diff: `diff OLD NEW` (files or folders) or `diff --base REF`'
complete -c changegate -n "__fish_changegate_needs_command" -f -a "approve" -d 'Review a ticket and sign it with your SSH key'
complete -c changegate -n "__fish_changegate_needs_command" -f -a "lint" -d 'Validate config, policy and tickets without touching the network'
complete -c changegate -n "__fish_changegate_needs_command" -f -a "snapshot" -d 'Record live DNS answers (types, CNAME chain, values, TTLs) as the last-known-good state'
complete -c changegate -n "__fish_changegate_needs_command" -f -a "verify" -d 'Re-resolve and compare exactly with a snapshot (exit 1 on any difference)'
complete -c changegate -n "__fish_changegate_needs_command" -f -a "drift" -d 'Compare desired state (zone files, octoDNS) with live DNS, alias-aware (exit 1 on drift)'
complete -c changegate -n "__fish_changegate_needs_command" -f -a "watch" -d 'Watch a ticket\'s health signals through the change; abort on a breach (exit 0 healthy to the end, 1 aborted, 2 invalid, 3 could not start, 130 interrupted)'
complete -c changegate -n "__fish_changegate_needs_command" -f -a "init" -d 'Write a starting changegate.toml, policy, allowed_signers and tickets folder for the DNS repository here; never overwrites without --force'
complete -c changegate -n "__fish_changegate_needs_command" -f -a "log" -d 'The change record from git history: each ticket merged, its kind, tier and approvals, and for emergencies whether their review is done, pending or overdue'
complete -c changegate -n "__fish_changegate_needs_command" -f -a "ticket" -d 'Write tickets: `ticket new` declares every change of a range or of two paths'
complete -c changegate -n "__fish_changegate_needs_command" -f -a "hook" -d 'Install git hooks that run the gate'
complete -c changegate -n "__fish_changegate_needs_command" -f -a "completions" -d 'Print shell completions'
complete -c changegate -n "__fish_changegate_needs_command" -f -a "man" -d 'Print the man page (roff)'
complete -c changegate -n "__fish_changegate_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c changegate -n "__fish_changegate_using_subcommand check" -l base -d 'Compare against this commit (e.g. `origin/main`); config, policy and signers are read from it, and the tickets are those the range adds or edits' -r
complete -c changegate -n "__fish_changegate_using_subcommand check" -l head -d 'The commit under review [default: HEAD; uncommitted changes are reported, not included]' -r
complete -c changegate -n "__fish_changegate_using_subcommand check" -l terraform-plan -d 'A Terraform plan as JSON (`terraform show -json PLANFILE`): its DNS changes are part of the change (repeat for several; also `[sources] terraform_plans`)' -r -F
complete -c changegate -n "__fish_changegate_using_subcommand check" -l author -d 'Who wrote the change, from a record the change cannot edit (CI\'s pull-request author, as an allowed_signers principal); an author of every ticket, never an approver. Repeatable; also env CHANGEGATE_AUTHOR (comma-separated)' -r
complete -c changegate -n "__fish_changegate_using_subcommand check" -l config -d 'The config file [default: changegate.toml in this folder or the nearest one above]' -r -F
complete -c changegate -n "__fish_changegate_using_subcommand check" -l format -d 'Output format' -r -f -a "human\t''
json\t''
github\t''
markdown\t'A summary for a pull-request comment or a CI job summary'"
complete -c changegate -n "__fish_changegate_using_subcommand check" -l now -d 'Evaluate as of this instant (RFC 3339), for reproducible runs' -r
complete -c changegate -n "__fish_changegate_using_subcommand check" -l no-progress -d 'Never show progress bars'
complete -c changegate -n "__fish_changegate_using_subcommand check" -s q -l quiet -d 'Print only refusals and errors'
complete -c changegate -n "__fish_changegate_using_subcommand check" -s v -l verbose -d 'Explain more: every rule and freeze that set the tier'
complete -c changegate -n "__fish_changegate_using_subcommand check" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c changegate -n "__fish_changegate_using_subcommand diff" -l base -d 'Compare against this commit (e.g. `origin/main`); config, policy and signers are read from it, and the tickets are those the range adds or edits' -r
complete -c changegate -n "__fish_changegate_using_subcommand diff" -l head -d 'The commit under review [default: HEAD; uncommitted changes are reported, not included]' -r
complete -c changegate -n "__fish_changegate_using_subcommand diff" -l terraform-plan -d 'A Terraform plan as JSON (`terraform show -json PLANFILE`): its DNS changes are part of the change (repeat for several; also `[sources] terraform_plans`)' -r -F
complete -c changegate -n "__fish_changegate_using_subcommand diff" -l config -d 'The config file [default: changegate.toml in this folder or the nearest one above]' -r -F
complete -c changegate -n "__fish_changegate_using_subcommand diff" -l format -d 'Output format' -r -f -a "human\t''
json\t''
github\t''
markdown\t'A summary for a pull-request comment or a CI job summary'"
complete -c changegate -n "__fish_changegate_using_subcommand diff" -l now -d 'Evaluate as of this instant (RFC 3339), for reproducible runs' -r
complete -c changegate -n "__fish_changegate_using_subcommand diff" -l no-progress -d 'Never show progress bars'
complete -c changegate -n "__fish_changegate_using_subcommand diff" -s q -l quiet -d 'Print only refusals and errors'
complete -c changegate -n "__fish_changegate_using_subcommand diff" -s v -l verbose -d 'Explain more: every rule and freeze that set the tier'
complete -c changegate -n "__fish_changegate_using_subcommand diff" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c changegate -n "__fish_changegate_using_subcommand approve" -l key -d 'The SSH private key to sign with (a `.pub` file signs with that key in ssh-agent) [default: a key in ssh-agent that allowed_signers knows, else ~/.ssh/id_ed25519]' -r -F
complete -c changegate -n "__fish_changegate_using_subcommand approve" -l as -d 'Approve as this principal [default: the principal allowed_signers gives the key]' -r
complete -c changegate -n "__fish_changegate_using_subcommand approve" -l comment -d 'A one-line comment, signed with the approval' -r
complete -c changegate -n "__fish_changegate_using_subcommand approve" -l digest -d 'The ticket digest you reviewed; required without a terminal' -r
complete -c changegate -n "__fish_changegate_using_subcommand approve" -l base -d 'Compare against this commit (e.g. `origin/main`); config, policy and signers are read from it, and the tickets are those the range adds or edits' -r
complete -c changegate -n "__fish_changegate_using_subcommand approve" -l head -d 'The commit under review [default: HEAD; uncommitted changes are reported, not included]' -r
complete -c changegate -n "__fish_changegate_using_subcommand approve" -l terraform-plan -d 'A Terraform plan as JSON (`terraform show -json PLANFILE`): its DNS changes are part of the change (repeat for several; also `[sources] terraform_plans`)' -r -F
complete -c changegate -n "__fish_changegate_using_subcommand approve" -l config -d 'The config file [default: changegate.toml in this folder or the nearest one above]' -r -F
complete -c changegate -n "__fish_changegate_using_subcommand approve" -l format -d 'Output format' -r -f -a "human\t''
json\t''
github\t''
markdown\t'A summary for a pull-request comment or a CI job summary'"
complete -c changegate -n "__fish_changegate_using_subcommand approve" -l now -d 'Evaluate as of this instant (RFC 3339), for reproducible runs' -r
complete -c changegate -n "__fish_changegate_using_subcommand approve" -l show-digest -d 'Print the ticket\'s digest and exit'
complete -c changegate -n "__fish_changegate_using_subcommand approve" -l force -d 'Replace your own earlier approval'
complete -c changegate -n "__fish_changegate_using_subcommand approve" -l no-progress -d 'Never show progress bars'
complete -c changegate -n "__fish_changegate_using_subcommand approve" -s q -l quiet -d 'Print only refusals and errors'
complete -c changegate -n "__fish_changegate_using_subcommand approve" -s v -l verbose -d 'Explain more: every rule and freeze that set the tier'
complete -c changegate -n "__fish_changegate_using_subcommand approve" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c changegate -n "__fish_changegate_using_subcommand lint" -l config -d 'The config file [default: changegate.toml in this folder or the nearest one above]' -r -F
complete -c changegate -n "__fish_changegate_using_subcommand lint" -l format -d 'Output format' -r -f -a "human\t''
json\t''
github\t''
markdown\t'A summary for a pull-request comment or a CI job summary'"
complete -c changegate -n "__fish_changegate_using_subcommand lint" -l now -d 'Evaluate as of this instant (RFC 3339), for reproducible runs' -r
complete -c changegate -n "__fish_changegate_using_subcommand lint" -l no-progress -d 'Never show progress bars'
complete -c changegate -n "__fish_changegate_using_subcommand lint" -s q -l quiet -d 'Print only refusals and errors'
complete -c changegate -n "__fish_changegate_using_subcommand lint" -s v -l verbose -d 'Explain more: every rule and freeze that set the tier'
complete -c changegate -n "__fish_changegate_using_subcommand lint" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c changegate -n "__fish_changegate_using_subcommand snapshot" -l ticket -d 'Record every name the ticket touches, and the names that depend on them' -r -F
complete -c changegate -n "__fish_changegate_using_subcommand snapshot" -l types -d 'Record types to ask for, comma-separated' -r
complete -c changegate -n "__fish_changegate_using_subcommand snapshot" -l out -d 'The snapshot file to write (atomically)' -r -F
complete -c changegate -n "__fish_changegate_using_subcommand snapshot" -l terraform-plan -d 'With `--ticket`: a Terraform plan (JSON) whose changes the ticket declares; the names that depend on them, aliases of resources it deletes included, are recorded too' -r -F
complete -c changegate -n "__fish_changegate_using_subcommand snapshot" -l resolver -d 'A resolver to ask, `ADDR[:PORT]` (repeat for several; their answers must agree) [default: `[dns] resolvers` in changegate.toml]' -r
complete -c changegate -n "__fish_changegate_using_subcommand snapshot" -l concurrency -d 'Questions in flight at once' -r
complete -c changegate -n "__fish_changegate_using_subcommand snapshot" -l timeout -d 'Time to wait for each answer' -r
complete -c changegate -n "__fish_changegate_using_subcommand snapshot" -l attempts -d 'Tries per question, the first included' -r
complete -c changegate -n "__fish_changegate_using_subcommand snapshot" -l config -d 'The config file [default: changegate.toml in this folder or the nearest one above]' -r -F
complete -c changegate -n "__fish_changegate_using_subcommand snapshot" -l format -d 'Output format' -r -f -a "human\t''
json\t''
github\t''
markdown\t'A summary for a pull-request comment or a CI job summary'"
complete -c changegate -n "__fish_changegate_using_subcommand snapshot" -l now -d 'Evaluate as of this instant (RFC 3339), for reproducible runs' -r
complete -c changegate -n "__fish_changegate_using_subcommand snapshot" -l no-progress -d 'Never show progress bars'
complete -c changegate -n "__fish_changegate_using_subcommand snapshot" -s q -l quiet -d 'Print only refusals and errors'
complete -c changegate -n "__fish_changegate_using_subcommand snapshot" -s v -l verbose -d 'Explain more: every rule and freeze that set the tier'
complete -c changegate -n "__fish_changegate_using_subcommand snapshot" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c changegate -n "__fish_changegate_using_subcommand verify" -l resolver -d 'A resolver to ask, `ADDR[:PORT]` (repeat for several; their answers must agree) [default: `[dns] resolvers` in changegate.toml]' -r
complete -c changegate -n "__fish_changegate_using_subcommand verify" -l concurrency -d 'Questions in flight at once' -r
complete -c changegate -n "__fish_changegate_using_subcommand verify" -l timeout -d 'Time to wait for each answer' -r
complete -c changegate -n "__fish_changegate_using_subcommand verify" -l attempts -d 'Tries per question, the first included' -r
complete -c changegate -n "__fish_changegate_using_subcommand verify" -l config -d 'The config file [default: changegate.toml in this folder or the nearest one above]' -r -F
complete -c changegate -n "__fish_changegate_using_subcommand verify" -l format -d 'Output format' -r -f -a "human\t''
json\t''
github\t''
markdown\t'A summary for a pull-request comment or a CI job summary'"
complete -c changegate -n "__fish_changegate_using_subcommand verify" -l now -d 'Evaluate as of this instant (RFC 3339), for reproducible runs' -r
complete -c changegate -n "__fish_changegate_using_subcommand verify" -l authoritative -d 'Ask every server of each zone\'s NS set directly (port 53, no recursion) and compare each one on its own; resolvers only find the zones and the servers\' addresses'
complete -c changegate -n "__fish_changegate_using_subcommand verify" -l no-progress -d 'Never show progress bars'
complete -c changegate -n "__fish_changegate_using_subcommand verify" -s q -l quiet -d 'Print only refusals and errors'
complete -c changegate -n "__fish_changegate_using_subcommand verify" -s v -l verbose -d 'Explain more: every rule and freeze that set the tier'
complete -c changegate -n "__fish_changegate_using_subcommand verify" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c changegate -n "__fish_changegate_using_subcommand drift" -l zone -d 'Only these managed zones (repeat) [default: all]' -r
complete -c changegate -n "__fish_changegate_using_subcommand drift" -l resolver -d 'A resolver to ask, `ADDR[:PORT]` (repeat for several; their answers must agree) [default: `[dns] resolvers` in changegate.toml]' -r
complete -c changegate -n "__fish_changegate_using_subcommand drift" -l concurrency -d 'Questions in flight at once' -r
complete -c changegate -n "__fish_changegate_using_subcommand drift" -l timeout -d 'Time to wait for each answer' -r
complete -c changegate -n "__fish_changegate_using_subcommand drift" -l attempts -d 'Tries per question, the first included' -r
complete -c changegate -n "__fish_changegate_using_subcommand drift" -l config -d 'The config file [default: changegate.toml in this folder or the nearest one above]' -r -F
complete -c changegate -n "__fish_changegate_using_subcommand drift" -l format -d 'Output format' -r -f -a "human\t''
json\t''
github\t''
markdown\t'A summary for a pull-request comment or a CI job summary'"
complete -c changegate -n "__fish_changegate_using_subcommand drift" -l now -d 'Evaluate as of this instant (RFC 3339), for reproducible runs' -r
complete -c changegate -n "__fish_changegate_using_subcommand drift" -l authoritative -d 'Ask every server of each zone\'s NS set directly (port 53, no recursion) and compare each one on its own; resolvers only find the zones and the servers\' addresses'
complete -c changegate -n "__fish_changegate_using_subcommand drift" -l no-progress -d 'Never show progress bars'
complete -c changegate -n "__fish_changegate_using_subcommand drift" -s q -l quiet -d 'Print only refusals and errors'
complete -c changegate -n "__fish_changegate_using_subcommand drift" -s v -l verbose -d 'Explain more: every rule and freeze that set the tier'
complete -c changegate -n "__fish_changegate_using_subcommand drift" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c changegate -n "__fish_changegate_using_subcommand watch" -l max-blind -d 'Consecutive evaluations that may see nothing (error, empty, NaN) before the watch aborts: a rollout that has gone blind is not healthy' -r
complete -c changegate -n "__fish_changegate_using_subcommand watch" -l on-abort -d 'A command to run on abort (an argument vector, no shell), with `CHANGEGATE_TICKET`, `CHANGEGATE_SIGNAL` and `CHANGEGATE_SNAPSHOT` in its environment; give it last' -r
complete -c changegate -n "__fish_changegate_using_subcommand watch" -l config -d 'The config file [default: changegate.toml in this folder or the nearest one above]' -r -F
complete -c changegate -n "__fish_changegate_using_subcommand watch" -l format -d 'Output format' -r -f -a "human\t''
json\t''
github\t''
markdown\t'A summary for a pull-request comment or a CI job summary'"
complete -c changegate -n "__fish_changegate_using_subcommand watch" -l now -d 'Evaluate as of this instant (RFC 3339), for reproducible runs' -r
complete -c changegate -n "__fish_changegate_using_subcommand watch" -l no-progress -d 'Never show progress bars'
complete -c changegate -n "__fish_changegate_using_subcommand watch" -s q -l quiet -d 'Print only refusals and errors'
complete -c changegate -n "__fish_changegate_using_subcommand watch" -s v -l verbose -d 'Explain more: every rule and freeze that set the tier'
complete -c changegate -n "__fish_changegate_using_subcommand watch" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c changegate -n "__fish_changegate_using_subcommand init" -l metrics -d 'Where resolution counts come from [default: left commented: every deletion is refused until it is set]' -r -f -a "prometheus\t''
file\t''"
complete -c changegate -n "__fish_changegate_using_subcommand init" -l url -d 'The Prometheus URL, with `--metrics prometheus`' -r
complete -c changegate -n "__fish_changegate_using_subcommand init" -l zonefiles -d 'Zone-file globs, instead of those found (repeat)' -r
complete -c changegate -n "__fish_changegate_using_subcommand init" -l octodns -d 'octoDNS YAML globs, instead of those found (repeat)' -r
complete -c changegate -n "__fish_changegate_using_subcommand init" -l config -d 'The config file [default: changegate.toml in this folder or the nearest one above]' -r -F
complete -c changegate -n "__fish_changegate_using_subcommand init" -l format -d 'Output format' -r -f -a "human\t''
json\t''
github\t''
markdown\t'A summary for a pull-request comment or a CI job summary'"
complete -c changegate -n "__fish_changegate_using_subcommand init" -l now -d 'Evaluate as of this instant (RFC 3339), for reproducible runs' -r
complete -c changegate -n "__fish_changegate_using_subcommand init" -l force -d 'Replace files that exist (each is written whole or not at all)'
complete -c changegate -n "__fish_changegate_using_subcommand init" -l no-progress -d 'Never show progress bars'
complete -c changegate -n "__fish_changegate_using_subcommand init" -s q -l quiet -d 'Print only refusals and errors'
complete -c changegate -n "__fish_changegate_using_subcommand init" -s v -l verbose -d 'Explain more: every rule and freeze that set the tier'
complete -c changegate -n "__fish_changegate_using_subcommand init" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c changegate -n "__fish_changegate_using_subcommand log" -l base -d 'The branch whose first-parent history to read [default: HEAD]' -r
complete -c changegate -n "__fish_changegate_using_subcommand log" -l since -d 'Only tickets merged at or after this date (`2026-12-01`) or instant (RFC 3339)' -r
complete -c changegate -n "__fish_changegate_using_subcommand log" -l config -d 'The config file [default: changegate.toml in this folder or the nearest one above]' -r -F
complete -c changegate -n "__fish_changegate_using_subcommand log" -l format -d 'Output format' -r -f -a "human\t''
json\t''
github\t''
markdown\t'A summary for a pull-request comment or a CI job summary'"
complete -c changegate -n "__fish_changegate_using_subcommand log" -l now -d 'Evaluate as of this instant (RFC 3339), for reproducible runs' -r
complete -c changegate -n "__fish_changegate_using_subcommand log" -l no-progress -d 'Never show progress bars'
complete -c changegate -n "__fish_changegate_using_subcommand log" -s q -l quiet -d 'Print only refusals and errors'
complete -c changegate -n "__fish_changegate_using_subcommand log" -s v -l verbose -d 'Explain more: every rule and freeze that set the tier'
complete -c changegate -n "__fish_changegate_using_subcommand log" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c changegate -n "__fish_changegate_using_subcommand ticket; and not __fish_seen_subcommand_from new help" -l config -d 'The config file [default: changegate.toml in this folder or the nearest one above]' -r -F
complete -c changegate -n "__fish_changegate_using_subcommand ticket; and not __fish_seen_subcommand_from new help" -l format -d 'Output format' -r -f -a "human\t''
json\t''
github\t''
markdown\t'A summary for a pull-request comment or a CI job summary'"
complete -c changegate -n "__fish_changegate_using_subcommand ticket; and not __fish_seen_subcommand_from new help" -l now -d 'Evaluate as of this instant (RFC 3339), for reproducible runs' -r
complete -c changegate -n "__fish_changegate_using_subcommand ticket; and not __fish_seen_subcommand_from new help" -l no-progress -d 'Never show progress bars'
complete -c changegate -n "__fish_changegate_using_subcommand ticket; and not __fish_seen_subcommand_from new help" -s q -l quiet -d 'Print only refusals and errors'
complete -c changegate -n "__fish_changegate_using_subcommand ticket; and not __fish_seen_subcommand_from new help" -s v -l verbose -d 'Explain more: every rule and freeze that set the tier'
complete -c changegate -n "__fish_changegate_using_subcommand ticket; and not __fish_seen_subcommand_from new help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c changegate -n "__fish_changegate_using_subcommand ticket; and not __fish_seen_subcommand_from new help" -f -a "new" -d 'Write `changes/<ID>.toml` declaring every RRset change of the range (`--base REF`) or of `OLD NEW`, with what a person must decide left as `TODO`s; never overwrites'
complete -c changegate -n "__fish_changegate_using_subcommand ticket; and not __fish_seen_subcommand_from new help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c changegate -n "__fish_changegate_using_subcommand ticket; and __fish_seen_subcommand_from new" -l base -d 'Compare against this commit (e.g. `origin/main`); config, policy and signers are read from it, and the tickets are those the range adds or edits' -r
complete -c changegate -n "__fish_changegate_using_subcommand ticket; and __fish_seen_subcommand_from new" -l head -d 'The commit under review [default: HEAD; uncommitted changes are reported, not included]' -r
complete -c changegate -n "__fish_changegate_using_subcommand ticket; and __fish_seen_subcommand_from new" -l terraform-plan -d 'A Terraform plan as JSON (`terraform show -json PLANFILE`): its DNS changes are part of the change (repeat for several; also `[sources] terraform_plans`)' -r -F
complete -c changegate -n "__fish_changegate_using_subcommand ticket; and __fish_seen_subcommand_from new" -l id -d 'The ticket\'s id [default: the next free `CHG-<n>` in the tickets folder]' -r
complete -c changegate -n "__fish_changegate_using_subcommand ticket; and __fish_seen_subcommand_from new" -l author -d 'The author [default: git\'s `user.email`]' -r
complete -c changegate -n "__fish_changegate_using_subcommand ticket; and __fish_seen_subcommand_from new" -l config -d 'The config file [default: changegate.toml in this folder or the nearest one above]' -r -F
complete -c changegate -n "__fish_changegate_using_subcommand ticket; and __fish_seen_subcommand_from new" -l format -d 'Output format' -r -f -a "human\t''
json\t''
github\t''
markdown\t'A summary for a pull-request comment or a CI job summary'"
complete -c changegate -n "__fish_changegate_using_subcommand ticket; and __fish_seen_subcommand_from new" -l now -d 'Evaluate as of this instant (RFC 3339), for reproducible runs' -r
complete -c changegate -n "__fish_changegate_using_subcommand ticket; and __fish_seen_subcommand_from new" -l no-progress -d 'Never show progress bars'
complete -c changegate -n "__fish_changegate_using_subcommand ticket; and __fish_seen_subcommand_from new" -s q -l quiet -d 'Print only refusals and errors'
complete -c changegate -n "__fish_changegate_using_subcommand ticket; and __fish_seen_subcommand_from new" -s v -l verbose -d 'Explain more: every rule and freeze that set the tier'
complete -c changegate -n "__fish_changegate_using_subcommand ticket; and __fish_seen_subcommand_from new" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c changegate -n "__fish_changegate_using_subcommand ticket; and __fish_seen_subcommand_from help" -f -a "new" -d 'Write `changes/<ID>.toml` declaring every RRset change of the range (`--base REF`) or of `OLD NEW`, with what a person must decide left as `TODO`s; never overwrites'
complete -c changegate -n "__fish_changegate_using_subcommand ticket; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c changegate -n "__fish_changegate_using_subcommand hook; and not __fish_seen_subcommand_from install help" -l config -d 'The config file [default: changegate.toml in this folder or the nearest one above]' -r -F
complete -c changegate -n "__fish_changegate_using_subcommand hook; and not __fish_seen_subcommand_from install help" -l format -d 'Output format' -r -f -a "human\t''
json\t''
github\t''
markdown\t'A summary for a pull-request comment or a CI job summary'"
complete -c changegate -n "__fish_changegate_using_subcommand hook; and not __fish_seen_subcommand_from install help" -l now -d 'Evaluate as of this instant (RFC 3339), for reproducible runs' -r
complete -c changegate -n "__fish_changegate_using_subcommand hook; and not __fish_seen_subcommand_from install help" -l no-progress -d 'Never show progress bars'
complete -c changegate -n "__fish_changegate_using_subcommand hook; and not __fish_seen_subcommand_from install help" -s q -l quiet -d 'Print only refusals and errors'
complete -c changegate -n "__fish_changegate_using_subcommand hook; and not __fish_seen_subcommand_from install help" -s v -l verbose -d 'Explain more: every rule and freeze that set the tier'
complete -c changegate -n "__fish_changegate_using_subcommand hook; and not __fish_seen_subcommand_from install help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c changegate -n "__fish_changegate_using_subcommand hook; and not __fish_seen_subcommand_from install help" -f -a "install" -d 'Write a pre-push hook that runs `changegate check --base` on every pushed ref'
complete -c changegate -n "__fish_changegate_using_subcommand hook; and not __fish_seen_subcommand_from install help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c changegate -n "__fish_changegate_using_subcommand hook; and __fish_seen_subcommand_from install" -l config -d 'The config file [default: changegate.toml in this folder or the nearest one above]' -r -F
complete -c changegate -n "__fish_changegate_using_subcommand hook; and __fish_seen_subcommand_from install" -l format -d 'Output format' -r -f -a "human\t''
json\t''
github\t''
markdown\t'A summary for a pull-request comment or a CI job summary'"
complete -c changegate -n "__fish_changegate_using_subcommand hook; and __fish_seen_subcommand_from install" -l now -d 'Evaluate as of this instant (RFC 3339), for reproducible runs' -r
complete -c changegate -n "__fish_changegate_using_subcommand hook; and __fish_seen_subcommand_from install" -l force -d 'Replace an existing pre-push hook that is not changegate\'s'
complete -c changegate -n "__fish_changegate_using_subcommand hook; and __fish_seen_subcommand_from install" -l no-progress -d 'Never show progress bars'
complete -c changegate -n "__fish_changegate_using_subcommand hook; and __fish_seen_subcommand_from install" -s q -l quiet -d 'Print only refusals and errors'
complete -c changegate -n "__fish_changegate_using_subcommand hook; and __fish_seen_subcommand_from install" -s v -l verbose -d 'Explain more: every rule and freeze that set the tier'
complete -c changegate -n "__fish_changegate_using_subcommand hook; and __fish_seen_subcommand_from install" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c changegate -n "__fish_changegate_using_subcommand hook; and __fish_seen_subcommand_from help" -f -a "install" -d 'Write a pre-push hook that runs `changegate check --base` on every pushed ref'
complete -c changegate -n "__fish_changegate_using_subcommand hook; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c changegate -n "__fish_changegate_using_subcommand completions" -l config -d 'The config file [default: changegate.toml in this folder or the nearest one above]' -r -F
complete -c changegate -n "__fish_changegate_using_subcommand completions" -l format -d 'Output format' -r -f -a "human\t''
json\t''
github\t''
markdown\t'A summary for a pull-request comment or a CI job summary'"
complete -c changegate -n "__fish_changegate_using_subcommand completions" -l now -d 'Evaluate as of this instant (RFC 3339), for reproducible runs' -r
complete -c changegate -n "__fish_changegate_using_subcommand completions" -l no-progress -d 'Never show progress bars'
complete -c changegate -n "__fish_changegate_using_subcommand completions" -s q -l quiet -d 'Print only refusals and errors'
complete -c changegate -n "__fish_changegate_using_subcommand completions" -s v -l verbose -d 'Explain more: every rule and freeze that set the tier'
complete -c changegate -n "__fish_changegate_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c changegate -n "__fish_changegate_using_subcommand man" -l config -d 'The config file [default: changegate.toml in this folder or the nearest one above]' -r -F
complete -c changegate -n "__fish_changegate_using_subcommand man" -l format -d 'Output format' -r -f -a "human\t''
json\t''
github\t''
markdown\t'A summary for a pull-request comment or a CI job summary'"
complete -c changegate -n "__fish_changegate_using_subcommand man" -l now -d 'Evaluate as of this instant (RFC 3339), for reproducible runs' -r
complete -c changegate -n "__fish_changegate_using_subcommand man" -l no-progress -d 'Never show progress bars'
complete -c changegate -n "__fish_changegate_using_subcommand man" -s q -l quiet -d 'Print only refusals and errors'
complete -c changegate -n "__fish_changegate_using_subcommand man" -s v -l verbose -d 'Explain more: every rule and freeze that set the tier'
complete -c changegate -n "__fish_changegate_using_subcommand man" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c changegate -n "__fish_changegate_using_subcommand help; and not __fish_seen_subcommand_from check diff approve lint snapshot verify drift watch init log ticket hook completions man help" -f -a "check" -d 'Evaluate tickets and print a verdict (exit 0 allowed, 1 refused, 2 invalid, 3 could not evaluate)'
complete -c changegate -n "__fish_changegate_using_subcommand help; and not __fish_seen_subcommand_from check diff approve lint snapshot verify drift watch init log ticket hook completions man help" -f -a "diff" -d 'Show the desired-state DNS diff: `diff OLD NEW` (files or folders) or `diff --base REF`'
complete -c changegate -n "__fish_changegate_using_subcommand help; and not __fish_seen_subcommand_from check diff approve lint snapshot verify drift watch init log ticket hook completions man help" -f -a "approve" -d 'Review a ticket and sign it with your SSH key'
complete -c changegate -n "__fish_changegate_using_subcommand help; and not __fish_seen_subcommand_from check diff approve lint snapshot verify drift watch init log ticket hook completions man help" -f -a "lint" -d 'Validate config, policy and tickets without touching the network'
complete -c changegate -n "__fish_changegate_using_subcommand help; and not __fish_seen_subcommand_from check diff approve lint snapshot verify drift watch init log ticket hook completions man help" -f -a "snapshot" -d 'Record live DNS answers (types, CNAME chain, values, TTLs) as the last-known-good state'
complete -c changegate -n "__fish_changegate_using_subcommand help; and not __fish_seen_subcommand_from check diff approve lint snapshot verify drift watch init log ticket hook completions man help" -f -a "verify" -d 'Re-resolve and compare exactly with a snapshot (exit 1 on any difference)'
complete -c changegate -n "__fish_changegate_using_subcommand help; and not __fish_seen_subcommand_from check diff approve lint snapshot verify drift watch init log ticket hook completions man help" -f -a "drift" -d 'Compare desired state (zone files, octoDNS) with live DNS, alias-aware (exit 1 on drift)'
complete -c changegate -n "__fish_changegate_using_subcommand help; and not __fish_seen_subcommand_from check diff approve lint snapshot verify drift watch init log ticket hook completions man help" -f -a "watch" -d 'Watch a ticket\'s health signals through the change; abort on a breach (exit 0 healthy to the end, 1 aborted, 2 invalid, 3 could not start, 130 interrupted)'
complete -c changegate -n "__fish_changegate_using_subcommand help; and not __fish_seen_subcommand_from check diff approve lint snapshot verify drift watch init log ticket hook completions man help" -f -a "init" -d 'Write a starting changegate.toml, policy, allowed_signers and tickets folder for the DNS repository here; never overwrites without --force'
complete -c changegate -n "__fish_changegate_using_subcommand help; and not __fish_seen_subcommand_from check diff approve lint snapshot verify drift watch init log ticket hook completions man help" -f -a "log" -d 'The change record from git history: each ticket merged, its kind, tier and approvals, and for emergencies whether their review is done, pending or overdue'
complete -c changegate -n "__fish_changegate_using_subcommand help; and not __fish_seen_subcommand_from check diff approve lint snapshot verify drift watch init log ticket hook completions man help" -f -a "ticket" -d 'Write tickets: `ticket new` declares every change of a range or of two paths'
complete -c changegate -n "__fish_changegate_using_subcommand help; and not __fish_seen_subcommand_from check diff approve lint snapshot verify drift watch init log ticket hook completions man help" -f -a "hook" -d 'Install git hooks that run the gate'
complete -c changegate -n "__fish_changegate_using_subcommand help; and not __fish_seen_subcommand_from check diff approve lint snapshot verify drift watch init log ticket hook completions man help" -f -a "completions" -d 'Print shell completions'
complete -c changegate -n "__fish_changegate_using_subcommand help; and not __fish_seen_subcommand_from check diff approve lint snapshot verify drift watch init log ticket hook completions man help" -f -a "man" -d 'Print the man page (roff)'
complete -c changegate -n "__fish_changegate_using_subcommand help; and not __fish_seen_subcommand_from check diff approve lint snapshot verify drift watch init log ticket hook completions man help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c changegate -n "__fish_changegate_using_subcommand help; and __fish_seen_subcommand_from ticket" -f -a "new" -d 'Write `changes/<ID>.toml` declaring every RRset change of the range (`--base REF`) or of `OLD NEW`, with what a person must decide left as `TODO`s; never overwrites'
complete -c changegate -n "__fish_changegate_using_subcommand help; and __fish_seen_subcommand_from hook" -f -a "install" -d 'Write a pre-push hook that runs `changegate check --base` on every pushed ref'
