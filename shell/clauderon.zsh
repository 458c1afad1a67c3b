# clauderon shell hook for zsh.
#
# `clauderon shell install` copies this file to ~/.local/share/clauderon/shell/clauderon.zsh
# ($XDG_DATA_HOME: a path that stays when the venv or Python changes) and adds one line
# sourcing that copy at the END of ${ZDOTDIR:-~}/.zshrc (`clauderon shell init zsh` prints it):
#   [ -r '/home/you/.local/share/clauderon/shell/clauderon.zsh' ] && . '/home/you/…/clauderon.zsh' #
#
# Inside a clauderon session ($CLAUDERON_SESSION, else $ZELLIJ_SESSION_NAME) this sources
#   ${XDG_STATE_HOME:-$HOME/.local/state}/clauderon/sessions/<session>.sh
# (written by clauderon: TERM, proxy variables, ...) and exports CLAUDERON_HOOK=1.
# Outside a session it does nothing and leaves nothing behind. It runs once, when the shell
# starts: pure zsh, no subprocess, no precmd hook. Safe to source twice, keeps $?, works
# under `setopt nounset`; an anonymous function keeps every helper variable local.

() {
    emulate -L zsh
    local __clauderon_status=$1 __clauderon_name= __clauderon_dir= __clauderon_file=
    __clauderon_name=${CLAUDERON_SESSION:-${ZELLIJ_SESSION_NAME:-}}
    if [[ -n $__clauderon_name && $__clauderon_name != */* ]]; then
        # A relative XDG_STATE_HOME is ignored, as the XDG spec says.
        if [[ ${XDG_STATE_HOME:-} == /* ]]; then
            __clauderon_dir=$XDG_STATE_HOME
        elif [[ -n ${HOME:-} ]]; then
            __clauderon_dir=$HOME/.local/state
        fi
        __clauderon_file=$__clauderon_dir/clauderon/sessions/$__clauderon_name.sh
        if [[ -n $__clauderon_dir && -f $__clauderon_file && -r $__clauderon_file ]]; then
            . "$__clauderon_file"
        fi
        export CLAUDERON_HOOK=1
    fi
    return $__clauderon_status
} "$?"
