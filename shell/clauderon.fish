# clauderon shell hook for fish.
#
# `clauderon shell install` copies this file to ~/.local/share/clauderon/shell/clauderon.fish
# ($XDG_DATA_HOME: a path that stays when the venv or Python changes) and puts one line
# sourcing that copy in ~/.config/fish/conf.d/clauderon.fish:
#   test -r '/home/you/.local/share/clauderon/shell/clauderon.fish' && source '/home/you/…/clauderon.fish'
#
# Inside a clauderon session ($CLAUDERON_SESSION, else $ZELLIJ_SESSION_NAME) this sources
#   ${XDG_STATE_HOME:-$HOME/.local/state}/clauderon/sessions/<session>.fish
# (written by clauderon: TERM, proxy variables, ...) and exports CLAUDERON_HOOK=1.
# Outside a session it does nothing and leaves nothing behind. It runs once, when the shell
# starts: builtins only, no subprocess, no prompt event. Safe to source twice, keeps $status.

# First, because `set` keeps $status and defining a function would reset it.
set -g __clauderon_status $status
function __clauderon_hook
    set -l __clauderon_rc $__clauderon_status
    set -e __clauderon_status
    functions --erase __clauderon_hook
    set -l __clauderon_name $CLAUDERON_SESSION
    if test -z "$__clauderon_name"
        set __clauderon_name $ZELLIJ_SESSION_NAME
    end
    set __clauderon_name "$__clauderon_name"
    if test -n "$__clauderon_name"; and not string match -q -- '*/*' "$__clauderon_name"
        # A relative XDG_STATE_HOME is ignored, as the XDG spec says.
        set -l __clauderon_dir ''
        if string match -q -- '/*' "$XDG_STATE_HOME"
            set __clauderon_dir "$XDG_STATE_HOME"
        else if test -n "$HOME"
            set __clauderon_dir "$HOME/.local/state"
        end
        set -l __clauderon_file "$__clauderon_dir/clauderon/sessions/$__clauderon_name.fish"
        if test -n "$__clauderon_dir"; and test -f "$__clauderon_file"; and test -r "$__clauderon_file"
            source "$__clauderon_file"
        end
        set -gx CLAUDERON_HOOK 1
    end
    return $__clauderon_rc
end
__clauderon_hook
