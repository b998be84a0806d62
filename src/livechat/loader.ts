/**
 * The loader a website's page gets from the snippet: it only adds a launcher bubble (with an unread count) and,
 * on the first click, the iframe with the widget. Styles are set through the CSSOM, so a host page's CSP that
 * refuses inline styles does not break it. Where the browser gives the cross-site iframe no storage of its own
 * (third-party storage blocked), the loader keeps the visitor's token in the website's storage for it and hands
 * it over only to the widget's own frame and origin. It also tells the widget the page's address, title and
 * referrer (and again when a single-page site moves on), so the consultant sees where the visitor is; while a chat
 * is open (the widget says so) the frame is loaded hidden on every page, to keep that and the unread count
 * current. Nothing else of the host page is read or touched, but for the snippet's own data-email and data-hmac
 * (identity verification), handed to the frame the same way.
 */
export function loaderScript(config: { key: string; widgetUrl: string; origin: string; colour: string; label: string; unread: string }): string {
  return `(function(){var K=${JSON.stringify(config).replace(/</g, '\\u003c')};
if(window.__gwarLivechat)return;window.__gwarLivechat=1;var C=document.currentScript,I=C&&C.dataset.email?{email:C.dataset.email,hmac:C.dataset.hmac||''}:null;
function css(e,s){for(var k in s)e.style[k]=s[k]}
var S='gwar-livechat:'+K.key;function get(){try{return localStorage.getItem(S)}catch(e){return null}}function set(v){try{localStorage.setItem(S,v)}catch(e){}}
function pg(){return{url:location.href,title:document.title,referrer:document.referrer}}
function go(){var d=document,b=d.createElement('button'),n=d.createElement('span'),f=null,open=false;
b.type='button';b.setAttribute('aria-label',K.label);b.setAttribute('aria-expanded','false');b.title=K.label;
b.innerHTML='<svg aria-hidden="true" viewBox="0 0 24 24" width="28" height="28"><path fill="#fff" d="M4 3h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z"/></svg>';
css(b,{position:'fixed',right:'20px',bottom:'20px',width:'56px',height:'56px',borderRadius:'50%',border:'0',padding:'0',background:K.colour,cursor:'pointer',zIndex:'2147483646',boxShadow:'0 2px 10px rgba(0,0,0,.3)',display:'flex',alignItems:'center',justifyContent:'center'});
css(n,{position:'absolute',top:'-4px',right:'-4px',minWidth:'20px',height:'20px',padding:'0 4px',boxSizing:'border-box',borderRadius:'10px',background:'#b91c1c',color:'#fff',font:'bold 12px/20px sans-serif',display:'none'});
n.setAttribute('aria-hidden','true');b.appendChild(n);d.body.appendChild(b);
function phone(){return innerWidth<600}
function place(){if(!f)return;css(f,phone()?{right:'0',bottom:'0',width:'100%',height:'100%',maxHeight:'none',borderRadius:'0'}:{right:'20px',bottom:'88px',width:'370px',height:'560px',maxHeight:'calc(100% - 108px)',borderRadius:'12px'});b.style.display=open&&phone()?'none':'flex'}
function post(m){if(f&&f.contentWindow)f.contentWindow.postMessage({gwarLivechat:m},K.origin)}
function unread(c){n.textContent=c>99?'99+':String(c);n.style.display=c?'block':'none';b.setAttribute('aria-label',c?K.label+' ('+K.unread.replace('{count}',c)+')':K.label)}
function mk(){f=d.createElement('iframe');f.src=K.widgetUrl;f.title=K.label;f.setAttribute('allow','autoplay');css(f,{position:'fixed',border:'0',zIndex:'2147483647',boxShadow:'0 4px 24px rgba(0,0,0,.25)',background:'#fff',display:'none'});d.body.appendChild(f)}
function toggle(o){open=o;if(o&&!f)mk();
f.style.display=o?'block':'none';place();b.setAttribute('aria-expanded',String(o));post(o?'open':'closed');if(o){unread(0);f.focus()}}
b.addEventListener('click',function(){toggle(!open)});
addEventListener('resize',place);
addEventListener('message',function(e){if(!f||e.source!==f.contentWindow||e.origin!==K.origin)return;var m=e.data&&e.data.gwarLivechat;
if(m==='close'){toggle(false);b.focus()}else if(m==='ready'){post({hello:open?'open':'closed',token:get(),identity:I});post({page:pg()})}else if(m&&typeof m.unread==='number')unread(m.unread);else if(m&&typeof m.token==='string')set(m.token);else if(m&&typeof m.chatting==='boolean')try{m.chatting?localStorage.setItem(S+':on','1'):localStorage.removeItem(S+':on')}catch(e){}});
var seen=location.href+document.title;setInterval(function(){var k=location.href+document.title;if(k!==seen){seen=k;post({page:pg()})}},1000);
try{if(localStorage.getItem(S+':on'))mk()}catch(e){}}
if(document.body)go();else addEventListener('DOMContentLoaded',go)})();
`;
}
